using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.ApiKeys.RevealApiKey;

internal static class Data
{
    // Take the sealed secret and erase it in one statement: of concurrent reveals, the row lock lets
    // one through and the others find nothing left.
    private const string TakeSealedKeySql = """
        with target as (
            select id, sealed_key from api_keys
            where id = @id and user_id = @userId and sealed_key is not null and revoked_at is null
            for update
        )
        update api_keys k set sealed_key = null
        from target t
        where k.id = t.id
        returning t.sealed_key
        """;

    private const string KeyExistsSql = "select exists (select 1 from api_keys where id = @id and user_id = @userId)";

    /// <returns>The sealed secret; null with <c>exists</c> telling 410 (already revealed) from 404.</returns>
    public static async Task<(string? SealedKey, bool Exists)> TakeAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new { id, userId = auth.UserId };
        var sealedKey = await session.QuerySingleOrDefaultAsync<string>(TakeSealedKeySql, args, ct);
        if (sealedKey is not null)
        {
            await session.CommitAsync(ct);
            return (sealedKey, true);
        }
        return (null, await session.QuerySingleOrDefaultAsync<bool>(KeyExistsSql, args, ct));
    }
}
