using System.Collections.Frozen;
using System.Security.Cryptography;
using Gatehouse.Infrastructure.Telemetry;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Infrastructure.Auth.Jwks;

public enum KeyLookupOutcome { Found, Unknown, Unavailable }

public readonly record struct KeyLookup(KeyLookupOutcome Outcome, SecurityKey? Key, TimeSpan RetryAfter);

/// <summary>
/// One provider's signing keys, with Gatehouse's own refresh policy (ASP.NET's ConfigurationManager
/// only refreshes in the background, so the request that first meets a rotated key would fail):
/// <list type="bullet">
/// <item>refreshed in the background every Cache-Control max-age, clamped to 60 s – 10 min;</item>
/// <item>a request that meets an unknown kid first joins a fetch already under way, which spends nothing;</item>
/// <item>a kid still unknown then triggers one synchronous refetch per <see cref="RefetchCooldown"/>, shared by
/// concurrent requests, after which the same request is decided; until the cooldown ends a kid still
/// unknown is answered without fetching;</item>
/// <item>a fetch that fills an empty cache (a request can beat the refresher's start-up fetch, or follow a
/// failed one) was no refetch for an unknown kid: once it succeeds the cooldown starts afresh;</item>
/// <item>a failed fetch keeps the last good keys for up to <see cref="MaxStaleness"/>; when no cached key
/// can decide and the provider cannot be reached, the answer is Unavailable (503), never Unknown;</item>
/// <item>the document is used entry by entry: what cannot be used is skipped with a warning, and no
/// exception from a fetch ever reaches a request or the refresher.</item>
/// </list>
/// </summary>
public sealed class JwksCache(ProviderSettings provider, JwksFetcher fetcher, TimeProvider time, ILogger logger, GatehouseMetrics metrics)
{
    public static readonly TimeSpan RefetchCooldown = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxRefresh = TimeSpan.FromMinutes(10);
    private const int MinRsaBits = 2048;
    private const int P256CoordinateBytes = 32;

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

        if (JoinFetch() is { } joined)
        {
            await joined.WaitAsync(ct);
            if (TryGetFresh(kid, out key))
                return new KeyLookup(KeyLookupOutcome.Found, key, default);
        }

        // A fetch that began before this request may predate the key it names: one refetch per cooldown.
        if (StartOnDemandFetch() is { } fetch)
        {
            await fetch.WaitAsync(ct);
            if (TryGetFresh(kid, out key))
                return new KeyLookup(KeyLookupOutcome.Found, key, default);
        }

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

    private Task? JoinFetch()
    {
        lock (_gate) return _inflight is { IsCompleted: false } ? _inflight : null;
    }

    private Task? StartOnDemandFetch()
    {
        lock (_gate)
        {
            // One that began after this request joined the previous one: as good as a refetch of its own.
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

    /// <summary>Never throws: requests await this task, and an exception in the refresher would stop the host.</summary>
    private async Task FetchAsync()
    {
        // Let the caller's lock go before any I/O.
        await Task.Yield();
        try
        {
            await FetchAndKeepAsync();
        }
        catch (Exception e)
        {
            _lastError = e.GetType().Name;
            logger.LogError("JWKS fetch for {Provider} from {JwksUri} failed unexpectedly ({Error}); keeping what was cached",
                provider.Name, provider.JwksUri, e.GetType().Name);
        }
    }

    private async Task FetchAndKeepAsync()
    {
        JwksFetcher.Result result;
        try
        {
            result = await fetcher.FetchAsync(provider.JwksUri, CancellationToken.None);
        }
        catch (Exception e)
        {
            result = new JwksFetcher.Result(null, null, e.GetType().Name);
        }

        metrics.JwksFetch(provider.Name, success: result.Document is not null);
        if (result.Document is null)
        {
            _lastError = result.Error;
            var kept = _keys is { } stale && time.GetUtcNow() - stale.FetchedAt <= MaxStaleness
                ? $"keeping the {stale.Keys.Count} key(s) fetched at {stale.FetchedAt:O}"
                : "no usable cached keys";
            logger.LogWarning("JWKS fetch for {Provider} from {JwksUri} failed: {Error}; {Kept}",
                provider.Name, provider.JwksUri, result.Error, kept);
            return;
        }

        var keys = Usable(result.Document);
        var maxAge = result.MaxAge ?? MaxRefresh;
        var filled = _keys is not { } previous || time.GetUtcNow() - previous.FetchedAt > MaxStaleness;
        _keys = new KeySet(keys, time.GetUtcNow(), maxAge < MinRefresh ? MinRefresh : maxAge > MaxRefresh ? MaxRefresh : maxAge);
        _lastError = null;
        if (filled)
            lock (_gate) _lastOnDemandFetch = DateTimeOffset.MinValue;
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

    /// <summary>The entries this provider may sign with, as keys ready to verify; each other entry is skipped with a warning.</summary>
    private FrozenDictionary<string, SecurityKey> Usable(JwksDocument document)
    {
        var keys = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var entry in document.Entries)
        {
            SecurityKey? key = null;
            var problem = entry.Problem;
            if (entry.Key is { } jwk)
            {
                try
                {
                    (key, problem) = Verifier(jwk);
                }
                catch (Exception e)
                {
                    problem = $"cannot be used ({e.GetType().Name})";
                }
            }
            if (key is not null && !keys.TryAdd(key.KeyId, key))
                (key, problem) = (null, "a second key with the same kid");
            if (key is null)
                logger.LogWarning("Skipping JWKS entry {Index} of {Provider} (kid {Kid}): {Problem}",
                    entry.Index, provider.Name, JwksDocument.ForLog(entry.Kid), problem);
        }
        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// A key to verify with, from a JWK with a kid and "sig" use (or none): RSA of 2048 bits or more for RS256, or a
    /// point on P-256 for ES256, each only where the provider allows that algorithm. Built from n/e and crv/x/y
    /// alone (never x5c), so the key verified with is exactly the one checked here.
    /// </summary>
    private (SecurityKey? Key, string? Problem) Verifier(JsonWebKey jwk)
    {
        if (string.IsNullOrEmpty(jwk.Kid))
            return (null, "no kid");
        if (jwk.Use is not null && jwk.Use != JsonWebKeyUseNames.Sig)
            return (null, "not a signing key (use)");
        switch (jwk.Kty)
        {
            case JsonWebAlgorithmsKeyTypes.RSA:
                if (!Allows(SecurityAlgorithms.RsaSha256, jwk))
                    return (null, "RSA key for an algorithm this provider may not use");
                if (string.IsNullOrEmpty(jwk.N) || string.IsNullOrEmpty(jwk.E))
                    return (null, "RSA key without n or e");
                if (!TryDecode(jwk.N, out var modulus) || !TryDecode(jwk.E, out var exponent))
                    return (null, "RSA key whose n or e is not base64url");
                var parameters = new RSAParameters { Modulus = modulus, Exponent = exponent };
                // Importing once proves the key usable; verifying then builds its own RSA from the parameters.
                using (var rsa = RSA.Create(parameters))
                    if (rsa.KeySize < MinRsaBits)
                        return (null, $"RSA key under {MinRsaBits} bits");
                return (new RsaSecurityKey(parameters) { KeyId = jwk.Kid }, null);
            case JsonWebAlgorithmsKeyTypes.EllipticCurve:
                if (!Allows(SecurityAlgorithms.EcdsaSha256, jwk))
                    return (null, "EC key for an algorithm this provider may not use");
                if (jwk.Crv != JsonWebKeyECTypes.P256)
                    return (null, "EC key on a curve other than P-256");
                if (string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
                    return (null, "EC key without x or y");
                if (!TryDecode(jwk.X, out var x) || !TryDecode(jwk.Y, out var y) || x.Length != P256CoordinateBytes || y.Length != P256CoordinateBytes)
                    return (null, "EC key whose x or y is not a base64url P-256 coordinate");
                // Importing checks that the point is on the curve.
                var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
                return (new ECDsaSecurityKey(ec) { KeyId = jwk.Kid }, null);
            case JsonWebAlgorithmsKeyTypes.Octet:
                return (null, "a symmetric key, never trusted");
            default:
                return (null, "an unsupported key type");
        }
    }

    /// <summary>The provider allows <paramref name="algorithm"/>, and the JWK names that one or none.</summary>
    private bool Allows(string algorithm, JsonWebKey jwk) =>
        provider.Algorithms.Contains(algorithm) && (jwk.Alg is null || jwk.Alg == algorithm);

    private static bool TryDecode(string base64Url, out byte[] bytes)
    {
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(base64Url);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
