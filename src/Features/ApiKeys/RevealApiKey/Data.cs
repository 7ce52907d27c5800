using Gatehouse.Infrastructure.Auth.Provisioning;

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

    public abstract record Outcome
    {
        public sealed record Revealed(string Key) : Outcome;
        public sealed record AlreadyRevealed : Outcome;
        public sealed record NotFound : Outcome;
        public sealed record CannotUnseal : Outcome;
    }

    public static async Task<Outcome> RevealAsync(Db db, DefaultApiKeys defaultKeys, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new { id, userId = auth.UserId };
        var sealedKey = await session.QuerySingleOrDefaultAsync<string>(LockSealedKeySql, args, ct);
        if (sealedKey is null)
            return await session.QuerySingleOrDefaultAsync<bool>(KeyExistsSql, args, ct) ? new Outcome.AlreadyRevealed() : new Outcome.NotFound();

        // Erased only once unsealed, in the same transaction: a key ring that cannot unseal it (rolled
        // back as the session ends) leaves the sealed copy for when the ring is restored.
        if (defaultKeys.TryUnseal(sealedKey) is not { } key)
            return new Outcome.CannotUnseal();
        await session.ExecuteAsync(EraseSealedKeySql, args, ct);
        session.Audit(AuditAction.ApiKeyRevealed, AuditTarget.ApiKey(id));
        await session.CommitAsync(ct);
        return new Outcome.Revealed(key);
    }
}
