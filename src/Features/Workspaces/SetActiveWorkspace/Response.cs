namespace Gatehouse.Features.Workspaces.SetActiveWorkspace;

internal sealed class Response
{
    public bool Ok { get; init; }
    public Guid ActiveWorkspace { get; init; }

    internal static readonly Response Example = new() { Ok = true, ActiveWorkspace = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71") };
}
