using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Infrastructure.Auth;

public enum KeyLookupOutcome { Found, Unknown, Unavailable }

public readonly record struct KeyLookup(KeyLookupOutcome Outcome, SecurityKey? Key, TimeSpan RetryAfter);

/// <summary>
/// One provider's signing keys, with Gatehouse's own refresh policy (ASP.NET's ConfigurationManager
/// only refreshes in the background, so the request that first meets a rotated key would fail):
/// <list type="bullet">
/// <item>refreshed in the background every Cache-Control max-age, clamped to 60 s – 10 min;</item>
/// <item>an unknown kid triggers one synchronous refetch per <see cref="RefetchCooldown"/>, shared by
/// concurrent requests, after which the same request is decided; until the cooldown ends a kid still
/// unknown is answered without fetching;</item>
/// <item>a failed fetch keeps the last good keys for up to <see cref="MaxStaleness"/>; when no cached key
/// can decide and the provider cannot be reached, the answer is Unavailable (503), never Unknown.</item>
/// </list>
/// </summary>
public sealed class JwksCache(ProviderSettings provider, JwksFetcher fetcher, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan RefetchCooldown = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxRefresh = TimeSpan.FromMinutes(10);
    private const int MinRsaBits = 2048;

    private sealed record KeySet(FrozenDictionary<string, SecurityKey> Keys, DateTimeOffset FetchedAt, TimeSpan RefreshAfter)
    {
        /// <summary>RFC 7638 thumbprints by kid: what a cached validation was verified with.</summary>
        public FrozenDictionary<string, string> Thumbprints { get; } = Keys
            .Select(k => (k.Key, Thumbprint: Thumbprint(k.Value)))
            .Where(k => k.Thumbprint is not null)
            .ToFrozenDictionary(k => k.Key, k => k.Thumbprint!, StringComparer.Ordinal);
    }

    private readonly Lock _gate = new();
    private volatile KeySet? _keys;
    private volatile string? _lastError;
    private DateTimeOffset _lastOnDemandFetch = DateTimeOffset.MinValue;
    private Task? _inflight;

    public ProviderSettings Provider => provider;

    /// <summary>Set when the JWKS answered but held no key Gatehouse can verify with.</summary>
    public string? EmptyKeySetProblem { get; private set; }

    /// <summary>How long the background refresher waits before the next fetch.</summary>
    public TimeSpan NextRefreshDelay => _lastError is null && _keys is { } keys ? keys.RefreshAfter : RefetchCooldown;

    public async ValueTask<KeyLookup> GetKeyAsync(string kid, CancellationToken ct)
    {
        if (TryGetFresh(kid, out var key))
            return new KeyLookup(KeyLookupOutcome.Found, key, default);

        if (StartOnDemandFetch() is { } fetch)
            await fetch.WaitAsync(ct);

        if (TryGetFresh(kid, out key))
            return new KeyLookup(KeyLookupOutcome.Found, key, default);
        return _lastError is null
            ? new KeyLookup(KeyLookupOutcome.Unknown, null, default)
            : new KeyLookup(KeyLookupOutcome.Unavailable, null, RetryAfter());
    }

    /// <summary>The background refresher's fetch; joins one already under way.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_inflight is { IsCompleted: false })
                return _inflight;
            return _inflight = FetchAsync();
        }
    }

    private Task? StartOnDemandFetch()
    {
        lock (_gate)
        {
            if (_inflight is { IsCompleted: false })
                return _inflight;
            var now = time.GetUtcNow();
            if (now - _lastOnDemandFetch < RefetchCooldown)
                return null;
            _lastOnDemandFetch = now;
            return _inflight = FetchAsync();
        }
    }

    private TimeSpan RetryAfter()
    {
        DateTimeOffset last;
        lock (_gate) last = _lastOnDemandFetch;
        var left = last + RefetchCooldown - time.GetUtcNow();
        return left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left;
    }

    /// <summary>
    /// The thumbprint of the key that <paramref name="kid"/> names now, or null when the kid is gone or
    /// the set is too stale to use: a token verified with another thumbprint must be verified again.
    /// </summary>
    public string? ThumbprintOf(string kid) =>
        _keys is { } keys && time.GetUtcNow() - keys.FetchedAt <= MaxStaleness && keys.Thumbprints.TryGetValue(kid, out var thumbprint)
            ? thumbprint
            : null;

    /// <summary>The thumbprint of <paramref name="key"/> while it is still the key <paramref name="kid"/> names.</summary>
    public string? ThumbprintOf(string kid, SecurityKey key) =>
        _keys is { } keys && keys.Keys.TryGetValue(kid, out var current) && ReferenceEquals(current, key)
            && keys.Thumbprints.TryGetValue(kid, out var thumbprint)
            ? thumbprint
            : null;

    private static string? Thumbprint(SecurityKey key)
    {
        try
        {
            return key.CanComputeJwkThumbprint() ? Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()) : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    private bool TryGetFresh(string kid, out SecurityKey? key)
    {
        key = null;
        return _keys is { } keys
            && time.GetUtcNow() - keys.FetchedAt <= MaxStaleness
            && keys.Keys.TryGetValue(kid, out key);
    }

    private async Task FetchAsync()
    {
        // Let the caller's lock go before any I/O.
        await Task.Yield();
        JwksFetcher.Result result;
        try
        {
            result = await fetcher.FetchAsync(provider.JwksUri, CancellationToken.None);
        }
        catch (Exception e)
        {
            result = new JwksFetcher.Result(null, null, e.GetType().Name);
        }

        if (result.KeySet is null)
        {
            _lastError = result.Error;
            var kept = _keys is { } stale && time.GetUtcNow() - stale.FetchedAt <= MaxStaleness
                ? $"keeping the {stale.Keys.Count} key(s) fetched at {stale.FetchedAt:O}"
                : "no usable cached keys";
            logger.LogWarning("JWKS fetch for {Provider} from {JwksUri} failed: {Error}; {Kept}",
                provider.Name, provider.JwksUri, result.Error, kept);
            return;
        }

        var keys = Usable(result.KeySet);
        var maxAge = result.MaxAge ?? MaxRefresh;
        _keys = new KeySet(keys, time.GetUtcNow(), maxAge < MinRefresh ? MinRefresh : maxAge > MaxRefresh ? MaxRefresh : maxAge);
        _lastError = null;
        if (keys.Count == 0)
        {
            EmptyKeySetProblem = $"the JWKS of {provider.Name} at {provider.JwksUri} has no RSA or EC signing key, so no token can be verified " +
                "(Authentik signs with HS256 when its OAuth2 provider has no signing key): assign an RSA or EC signing key to the provider.";
            logger.LogError("Identity provider misconfigured: {Problem}", EmptyKeySetProblem);
        }
        else
        {
            EmptyKeySetProblem = null;
        }
    }

    /// <summary>Keeps only keys this provider may sign with: a kid, "sig" use, an allowed algorithm, RSA of 2048 bits or more, EC on P-256.</summary>
    private FrozenDictionary<string, SecurityKey> Usable(JsonWebKeySet set)
    {
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var key in set.Keys)
        {
            var usable = !string.IsNullOrEmpty(key.Kid)
                && (key.Use is null || key.Use == JsonWebKeyUseNames.Sig)
                && (key.Alg is null || provider.Algorithms.Contains(key.Alg))
                && key.Kty switch
                {
                    JsonWebAlgorithmsKeyTypes.RSA => provider.Algorithms.Contains("RS256")
                        && !string.IsNullOrEmpty(key.N) && key.KeySize >= MinRsaBits,
                    JsonWebAlgorithmsKeyTypes.EllipticCurve => provider.Algorithms.Contains("ES256")
                        && key.Crv == JsonWebKeyECTypes.P256,
                    _ => false,
                };
            if (!usable)
            {
                logger.LogWarning("Ignoring JWKS key {Kid} of {Provider}: kty {Kty}, alg {Alg}, {Bits} bits",
                    key.Kid, provider.Name, key.Kty, key.Alg, key.KeySize);
                continue;
            }
            keys.TryAdd(key.Kid, key);
        }
        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
