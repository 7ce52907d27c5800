using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>API keys: <c>gh_</c> plus 256 random bits, base64url. Only the SHA-256 of a key is stored.</summary>
public sealed class ApiKeyAuthenticator(NpgsqlDataSource dataSource, TimeProvider time)
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
    // about the secret, and no code path compares the secret itself.
    private const string FindKeySql = "select * from authenticate_api_key(@hash)";

    private const string TouchKeySql = "select touch_api_key(@id)";

    private sealed record KeyRow
    {
        public Guid Id { get; init; }
        public Guid UserId { get; init; }
        public Guid WorkspaceId { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
    }

    public async Task<CallerIdentity?> AuthenticateAsync(string key, CancellationToken ct)
    {
        if (key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
            return null;

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            new CommandDefinition(FindKeySql, new { hash = Hash(key) }, cancellationToken: ct));
        if (row is null)
            return null;

        // last_used_at has minute resolution: at most one write per key per minute, not one per request.
        if (row.LastUsedAt is null || time.GetUtcNow() - row.LastUsedAt > LastUsedResolution)
            await connection.ExecuteAsync(new CommandDefinition(TouchKeySql, new { id = row.Id }, cancellationToken: ct));

        // API-key requests carry no permissions.
        return new CallerIdentity(AuthMethod.ApiKey, new HashSet<string>(), UserId: row.UserId, KeyWorkspaceId: row.WorkspaceId);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
