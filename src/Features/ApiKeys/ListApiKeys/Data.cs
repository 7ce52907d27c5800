namespace Gatehouse.Features.ApiKeys.ListApiKeys;

internal static class Data
{
    private const string ListApiKeysSql = """
        select id, name, prefix, workspace_id, created_at, expires_at, last_used_at, sealed_key is not null as revealable
        from api_keys
        where user_id = @userId and workspace_id = @workspaceId and revoked_at is null
        order by created_at, id
        """;

    public static Task<List<Response>> ListAsync(Db db, AuthContext auth, CancellationToken ct) =>
        db.QueryAsync<Response>(auth, ListApiKeysSql, new { userId = auth.UserId, workspaceId = auth.WorkspaceId }, ct);
}
