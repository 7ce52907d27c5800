namespace Gatehouse.Features.Workspaces.CreateWorkspace;

internal static class Data
{
    private const string CreateWorkspaceSql = """
        with workspace as (
            insert into workspaces (id, name, created_by) values (@id, @name, @userId)
            returning id
        )
        insert into workspace_members (workspace_id, user_id, role)
        select id, @userId, @role from workspace
        """;

    public static async Task<WorkspaceResponse> CreateAsync(Db db, AuthContext auth, string name, CancellationToken ct)
    {
        var workspace = new WorkspaceResponse { Id = Guid.CreateVersion7(), Name = name.Trim(), Role = WorkspaceRole.Owner };
        await using var session = await db.BeginAsync(auth.UserId, workspace.Id, ct);
        await session.ExecuteAsync(CreateWorkspaceSql,
            new { id = workspace.Id, name = workspace.Name, userId = auth.UserId, role = workspace.Role.ToDatabase() }, ct);
        session.Audit(AuditAction.WorkspaceCreated, AuditTarget.Workspace(workspace.Id), new { name = workspace.Name });
        await session.CommitAsync(ct);
        return workspace;
    }
}
