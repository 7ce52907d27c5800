namespace Gatehouse.Features.Invitations.ListMyInvitations;

/// <summary>An invitation as its invitee sees it.</summary>
internal sealed record Response
{
    public Guid Id { get; init; }
    public Guid WorkspaceId { get; init; }
    public string WorkspaceName { get; init; } = "";
    public WorkspaceRole Role { get; init; }
    /// <summary>The inviter's name; null once that user is gone or has none.</summary>
    public string? InvitedByName { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    internal static readonly Response Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f74"),
        WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        WorkspaceName = "Analytical Engines",
        Role = WorkspaceRole.Member,
        InvitedByName = "Ada Lovelace",
        ExpiresAt = DateTimeOffset.Parse("2026-12-02T12:00:00Z"),
    };
}
