using Dapper;
using Gatehouse.Infrastructure.Auth.Provisioning;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.ApiKeys.RevealApiKey;

internal static class Data
{
    // The row lock lets one of concurrent reveals through; the others wait, then find nothing left.
    private const string LockSealedKeySql = """
        select sealed_key from api_keys
        where id = @id and user_id = @userId and sealed_key is not null and revoked_at is null
        for update
        """;

    private const string EraseSealedKeySql = "update api_keys set sealed_key = null where id = @id";

    private const string KeyExistsSql = "select exists (select 1 from api_keys where id = @id and user_id = @userId)";

    public enum Outcome { Revealed, AlreadyRevealed, NotFound, CannotUnseal }

    public static async Task<(Outcome, string?)> RevealAsync(Db db, DefaultApiKeys defaultKeys, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new { id, userId = auth.UserId };
        var sealedKey = await session.QuerySingleOrDefaultAsync<string>(LockSealedKeySql, args, ct);
        if (sealedKey is null)
            return (await session.QuerySingleOrDefaultAsync<bool>(KeyExistsSql, args, ct) ? Outcome.AlreadyRevealed : Outcome.NotFound, null);

        // Erased only once unsealed, in the same transaction: a key ring that cannot unseal it (rolled
        // back as the session ends) leaves the sealed copy for when the ring is restored.
        if (defaultKeys.TryUnseal(sealedKey) is not { } key)
            return (Outcome.CannotUnseal, null);
        await session.ExecuteAsync(EraseSealedKeySql, args, ct);
        await session.CommitAsync(ct);
        return (Outcome.Revealed, key);
    }
}
