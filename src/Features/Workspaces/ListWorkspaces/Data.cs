namespace Gatehouse.Features.Workspaces.ListWorkspaces;

internal static class Data
{
    private const string ListWorkspacesSql = """
        select w.id, w.name, m.role
        from workspace_members m
        join workspaces w on w.id = m.workspace_id
        where m.user_id = @userId
        order by m.created_at, w.id
        """;

    public static Task<List<WorkspaceResponse>> ListAsync(Db db, AuthContext auth, CancellationToken ct) =>
        db.QueryAsync<WorkspaceResponse>(auth, ListWorkspacesSql, new { userId = auth.UserId }, ct);
}
