using System.Security.Cryptography;
using System.Text;
using Dapper;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Telemetry;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth.ApiKeys;

/// <summary>API keys: <c>gh_</c> plus 256 random bits, base64url. Only the SHA-256 of a key is stored.</summary>
public sealed class ApiKeyAuthenticator(NpgsqlDataSource dataSource, CallerCache cache, TimeProvider time, GatehouseMetrics metrics)
{
    public const string Prefix = "gh_";
    private const int SecretBytes = 32;
    private static readonly int KeyLength = Prefix.Length + (SecretBytes * 4 + 2) / 3;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>A new key: what the caller sees once, its display prefix, and the hash that is stored.</summary>
    public static (string Key, string DisplayPrefix, byte[] Hash) NewKey()
    {
        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        return (key, key[..(Prefix.Length + 6)], Hash(key));
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // The key is looked up by its SHA-256 through a unique index (in a SECURITY DEFINER function:
    // no workspace context exists yet): the database compares digests, which leaks nothing useful
    // about the secret, and no code path compares the secret itself (migrations/functions/load_api_key.sql, touch_api_key.sql).
    private const string LoadKeySql = "select * from load_api_key(@hash)";

    private const string TouchKeySql = "select touch_api_key(@id)";

    /// <summary>
    /// The key's identity, from memory on a steady request. Expiry is decided here on every request;
    /// a revoked or deleted key leaves the cache when its row changes (see <see cref="CallerCache"/>).
    /// The user's active flag and membership are checked by the pre-processor, as for a token.
    /// </summary>
    public async Task<CallerIdentity?> AuthenticateAsync(string key, CancellationToken ct)
    {
        if (key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
            return Refused();

        var hash = Hash(key);
        var hex = Convert.ToHexStringLower(hash);
        var row = cache.FindApiKey(hex) ?? await LoadAsync(hash, hex, ct);
        var now = time.GetUtcNow();
        if (row is null || row.ExpiresAt <= now)
            return Refused();

        // last_used_at has minute resolution: at most one write per key per minute, not one per request.
        if (row.LastUsedAt is null || now - row.LastUsedAt > LastUsedResolution)
        {
            row.LastUsedAt = now;
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(TouchKeySql, new { id = row.Id }, cancellationToken: ct));
        }

        metrics.ApiKeyAuthentication(valid: true);
        // API-key requests carry no permissions.
        return new CallerIdentity(AuthMethod.ApiKey, NoPermissions, UserId: row.UserId, KeyWorkspaceId: row.WorkspaceId);
    }

    private CallerIdentity? Refused()
    {
        metrics.ApiKeyAuthentication(valid: false);
        return null;
    }

    private static readonly IReadOnlySet<string> NoPermissions = new HashSet<string>();

    private async Task<ApiKeySnapshot?> LoadAsync(byte[] hash, string hex, CancellationToken ct)
    {
        var version = cache.Version;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeySnapshot>(
            new CommandDefinition(LoadKeySql, new { hash }, cancellationToken: ct));
        if (row is not null)
            cache.Store(hex, row, version);
        return row;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
