using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.ApiKeys.RevokeApiKey;

internal static class Data
{
    // Revoking also drops a sealed secret that was never revealed.
    private const string RevokeApiKeySql = """
        update api_keys set revoked_at = coalesce(revoked_at, now()), sealed_key = null
        where id = @id and user_id = @userId
        """;

    /// <returns>False when the caller has no key with that id.</returns>
    public static async Task<bool> RevokeAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var updated = await session.ExecuteAsync(RevokeApiKeySql,
            new { id, userId = auth.UserId }, ct);
        await session.CommitAsync(ct);
        return updated == 1;
    }
}
