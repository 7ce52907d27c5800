namespace Gatehouse.Features.Audit.ListWorkspaceAudit;

internal static class Data
{
    // Row-level security shows a workspace's events to its owners and admins only (migrations/0009);
    // the coalesce keeps the keyset condition one index range on (workspace_id, id desc).
    private const string ListWorkspaceAuditSql = """
        select id, occurred_at, action, actor_user_id, actor_method, actor_api_key_id, workspace_id, target_type, target_id,
               host(ip) as ip, user_agent, request_id, details::text as details
        from audit_events
        where workspace_id = @workspaceId and id < coalesce(@after, 9223372036854775807)
        order by id desc
        limit @limit + 1
        """;

    public static async Task<AuditPage> ListAsync(Db db, AuthContext auth, int limit, long? after, CancellationToken ct)
    {
        var rows = await db.QueryAsync<AuditPage.Row>(auth, ListWorkspaceAuditSql, new { workspaceId = auth.WorkspaceId, after, limit }, ct);
        return AuditPage.From(rows, limit);
    }
}
