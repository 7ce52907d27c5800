namespace Gatehouse.Features.Invitations;

/// <summary>An invitation as the workspace's owners and admins see it: shared by CreateInvitation and ListInvitations.</summary>
internal sealed record InvitationResponse
{
    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public WorkspaceRole Role { get; init; }
    public Guid WorkspaceId { get; init; }
    /// <summary>The user who invited; null once that user is gone.</summary>
    public Guid? InvitedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    internal static readonly InvitationResponse Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f74"),
        Email = "charles@example.com",
        Role = WorkspaceRole.Member,
        WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        InvitedBy = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f72"),
        CreatedAt = DateTimeOffset.Parse("2026-11-25T12:00:00Z"),
        ExpiresAt = DateTimeOffset.Parse("2026-12-02T12:00:00Z"),
    };
}
