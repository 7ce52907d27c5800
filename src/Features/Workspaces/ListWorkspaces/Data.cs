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

    public static async Task<List<WorkspaceResponse>> ListAsync(Db db, AuthContext auth, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var rows = await session.QueryAsync<WorkspaceResponse>(ListWorkspacesSql, new { userId = auth.UserId }, ct);
        return rows.ToList();
    }
}
