namespace Gatehouse.Features.Workspaces;

/// <summary>A member of a workspace: shared by ListMembers, AddMember and ChangeMemberRole.</summary>
internal sealed record MemberResponse
{
    public Guid UserId { get; init; }
    public string? Email { get; init; }
    public string? FullName { get; init; }
    public WorkspaceRole Role { get; init; }

    internal static readonly MemberResponse Example = new()
    {
        UserId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f72"), Email = "charles@example.com", FullName = "Charles Babbage",
        Role = WorkspaceRole.Admin,
    };
}
