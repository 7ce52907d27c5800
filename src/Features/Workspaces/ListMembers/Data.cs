namespace Gatehouse.Features.Workspaces.ListMembers;

internal static class Data
{
    private const string ListMembersSql = """
        select u.id as user_id, u.email, u.full_name, m.role
        from workspace_members m
        join users u on u.id = m.user_id
        where m.workspace_id = @workspaceId
        order by m.created_at, u.id
        """;

    public static async Task<List<MemberResponse>> ListAsync(Db db, AuthContext auth, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var rows = await session.QueryAsync<MemberResponse>(ListMembersSql, new { workspaceId = auth.WorkspaceId }, ct);
        return rows.ToList();
    }
}
