using System.Security.Cryptography;
using System.Text;
using Gatehouse.Infrastructure.Auth.Jwks;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Telemetry;
using Microsoft.Extensions.Caching.Memory;

namespace Gatehouse.Infrastructure.Caching;

/// <summary>
/// Access tokens that passed every check, keyed by the SHA-256 of the whole token, so a client that
/// reuses its token pays for one signature check. Only successes are stored. An entry goes:
/// <list type="bullet">
/// <item>when the token expires (exp plus the clock skew, checked on every hit, as the validator would);</item>
/// <item>when the key that verified it is no longer in the provider's key set (its kid left the
/// JWKS, its material changed, or the set went stale), checked on every hit by thumbprint;</item>
/// <item>when the bounds in entries or bytes are reached (MemoryCache compacts the oldest-used first).</item>
/// </list>
/// </summary>
public sealed class TokenCache : IDisposable
{
    private readonly MemoryCache _entries;
    private readonly long _maxEntries;
    private readonly TimeSpan _skew;
    private readonly GatehouseMetrics _metrics;

    public sealed record Entry(CallerIdentity Identity, DateTimeOffset Expires, JwksCache Keys, string Kid, string Thumbprint);

    private readonly record struct Key(ulong A, ulong B, ulong C, ulong D);

    public TokenCache(CacheSettings settings, AuthSettings auth, GatehouseMetrics metrics)
    {
        _maxEntries = settings.TokenCacheMaxEntries;
        _skew = auth.ClockSkew;
        _metrics = metrics;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(settings.TokenCacheMaxBytes, 1) });
    }

    public int Count => _entries.Count;

    public CallerIdentity? Find(string token, DateTimeOffset now)
    {
        if (_maxEntries == 0)
            return null;
        var key = KeyOf(token);
        if (_entries.TryGetValue(key, out Entry? entry) && entry is not null)
        {
            if (now <= entry.Expires + _skew && entry.Keys.ThumbprintOf(entry.Kid) == entry.Thumbprint)
            {
                _metrics.CacheLookup("token", hit: true);
                return entry.Identity;
            }
            _entries.Remove(key);
        }
        _metrics.CacheLookup("token", hit: false);
        return null;
    }

    public void Store(string token, Entry entry)
    {
        if (_maxEntries == 0)
            return;
        if (_entries.Count >= _maxEntries)
        {
            _entries.Compact(0.1);
            if (_entries.Count >= _maxEntries)
                return;
        }
        _entries.Set(KeyOf(token), entry, new MemoryCacheEntryOptions
        {
            Size = SizeOf(entry),
            AbsoluteExpiration = entry.Expires + _skew,
        });
    }

    private static Key KeyOf(string token)
    {
        Span<byte> utf8 = token.Length <= 4096 ? stackalloc byte[token.Length * 3] : new byte[token.Length * 3];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<ulong> hash = stackalloc ulong[4];
        SHA256.HashData(utf8[..length], System.Runtime.InteropServices.MemoryMarshal.AsBytes(hash));
        return new Key(hash[0], hash[1], hash[2], hash[3]);
    }

    /// <summary>An estimate of what an entry keeps alive: the objects and their strings (UTF-16).</summary>
    private static long SizeOf(Entry entry)
    {
        var identity = entry.Identity;
        long size = 400;
        size += 2L * ((identity.Subject?.Length ?? 0) + (identity.Email?.Length ?? 0) + (identity.Name?.Length ?? 0) + entry.Kid.Length + entry.Thumbprint.Length);
        foreach (var permission in identity.Permissions)
            size += 48 + 2L * permission.Length;
        return size;
    }

    public void Dispose() => _entries.Dispose();
}
