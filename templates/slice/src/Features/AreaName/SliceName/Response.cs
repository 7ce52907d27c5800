namespace Gatehouse.Features.AreaName.SliceName;

internal sealed class Response
{
    public string Name { get; init; } = "";
    public Guid WorkspaceId { get; init; }
    public string WorkspaceName { get; init; } = "";

    internal static readonly Response Example = new()
    {
        Name = "Analytical Engines",
        WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        WorkspaceName = "Ada Lovelace's workspace",
    };
}
