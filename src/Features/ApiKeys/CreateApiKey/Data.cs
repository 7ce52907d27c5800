using Gatehouse.Infrastructure.Auth.ApiKeys;

namespace Gatehouse.Features.ApiKeys.CreateApiKey;

internal static class Data
{
    private const string CreateApiKeySql = """
        insert into api_keys (workspace_id, user_id, name, prefix, key_hash, expires_at)
        values (@workspaceId, @userId, @name, @prefix, @hash,
                case when @expiresInDays::int is null then null else now() + make_interval(days => @expiresInDays::int) end)
        returning id, name, prefix, workspace_id, created_at, expires_at
        """;

    public static async Task<Response> CreateAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        var (key, prefix, hash) = ApiKeyAuthenticator.NewKey();
        await using var session = await db.BeginAsync(auth, ct);
        var created = await session.QuerySingleAsync<Response>(CreateApiKeySql, new
        {
            workspaceId = auth.WorkspaceId,
            userId = auth.UserId,
            name = request.Name.Trim(),
            prefix,
            hash,
            expiresInDays = request.ExpiresInDays,
        }, ct);
        // The name and expiry only: never the key, its prefix or its hash.
        session.Audit(AuditAction.ApiKeyCreated, AuditTarget.ApiKey(created.Id), new { name = created.Name, expires_at = created.ExpiresAt });
        await session.CommitAsync(ct);
        return new Response
        {
            Id = created.Id, Name = created.Name, Key = key, Prefix = created.Prefix, WorkspaceId = created.WorkspaceId,
            CreatedAt = created.CreatedAt, ExpiresAt = created.ExpiresAt,
        };
    }
}
