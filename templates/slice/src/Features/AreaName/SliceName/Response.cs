namespace Gatehouse.Features.AreaName.SliceName;

// Read by Dapper from the SQL's columns (snake_case to PascalCase), sent as snake_case JSON.
internal sealed record Response
{
    public Guid UserId { get; init; }
    public WorkspaceRole Role { get; init; }

    internal static readonly Response Example = new()
    {
        UserId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f72"),
        Role = WorkspaceRole.Admin,
    };
}
