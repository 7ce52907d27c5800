namespace Gatehouse.Features.Workspaces;

/// <summary>A workspace as its member sees it: shared by ListWorkspaces and CreateWorkspace.</summary>
internal sealed record WorkspaceResponse
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public WorkspaceRole Role { get; init; }

    internal static readonly WorkspaceResponse Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"), Name = "Analytical Engines", Role = WorkspaceRole.Owner,
    };
}
