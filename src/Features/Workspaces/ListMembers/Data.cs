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

    public static Task<List<MemberResponse>> ListAsync(Db db, AuthContext auth, CancellationToken ct) =>
        db.QueryAsync<MemberResponse>(auth, ListMembersSql, new { workspaceId = auth.WorkspaceId }, ct);
}
