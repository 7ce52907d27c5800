namespace Gatehouse.Features.ApiKeys.RevokeApiKey;

internal static class Data
{
    // Revoking also drops a sealed secret that was never revealed. Returns whether this revoked it
    // (revoked_at is now(), the transaction's start) rather than finding it revoked already.
    private const string RevokeApiKeySql = """
        update api_keys set revoked_at = coalesce(revoked_at, now()), sealed_key = null
        where id = @id and user_id = @userId
        returning revoked_at = now()
        """;

    public abstract record Outcome
    {
        public sealed record Revoked : Outcome;
        public sealed record NotFound : Outcome;
    }

    public static async Task<Outcome> RevokeAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var revokedNow = await session.QuerySingleOrDefaultAsync<bool?>(RevokeApiKeySql,
            new { id, userId = auth.UserId }, ct);
        // A repeat is a no-op and records nothing.
        if (revokedNow == true)
            session.Audit(AuditAction.ApiKeyRevoked, AuditTarget.ApiKey(id));
        await session.CommitAsync(ct);
        return revokedNow is null ? new Outcome.NotFound() : new Outcome.Revoked();
    }
}
