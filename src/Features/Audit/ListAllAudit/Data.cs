namespace Gatehouse.Features.Audit.ListAllAudit;

internal static class Data
{
    // Across workspaces, so through a SECURITY DEFINER function (migrations/functions/admin_list_audit.sql), as the user listing does.
    private const string ListAllAuditSql = "select * from admin_list_audit(@after, @limit + 1, @action, @actorUserId)";

    public static async Task<AuditPage> ListAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        var limit = request.Limit ?? Paging.DefaultLimit;
        var rows = await db.QueryAsync<AuditPage.Row>(auth, ListAllAuditSql,
            new { after = request.After, limit, action = request.Action, actorUserId = request.ActorUserId }, ct);
        return AuditPage.From(rows, limit);
    }
}
