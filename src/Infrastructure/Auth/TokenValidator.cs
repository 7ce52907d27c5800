using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Gatehouse.Infrastructure.Caching;

namespace Gatehouse.Infrastructure.Auth;

public abstract record TokenCheck
{
    public sealed record Valid(CallerIdentity Identity) : TokenCheck;
    /// <summary>A 401; <paramref name="Reason"/> is ours, safe to show and log (never token content).</summary>
    public sealed record Invalid(string Reason, string? Issuer = null, string? Kid = null) : TokenCheck;
    /// <summary>The provider's keys cannot be had and no cached key can decide: a 503.</summary>
    public sealed record Unavailable(TimeSpan RetryAfter, string Provider) : TokenCheck;
}

/// <summary>
/// Validates a Bearer access token: the issuer picks the provider, the kid picks the one key, and
/// Microsoft.IdentityModel checks the signature, algorithm, issuer, audience and lifetime.
/// </summary>
public sealed class TokenValidator
{
    public const int MaxTokenLength = 16 * 1024;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenLength };
    private readonly Dictionary<string, (ProviderSettings Provider, JwksCache Keys, TokenValidationParameters Parameters)> _byIssuer;
    private readonly AuthSettings _settings;
    private readonly TimeProvider _time;

    static TokenValidator()
    {
        // The key-set cache already drops RSA keys under 2048 bits; the library's own floor (1024 for
        // verifying) is raised too, so that no other path can verify with a short key.
        foreach (var algorithm in new[] { SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512 })
            AsymmetricSignatureProvider.DefaultMinimumAsymmetricKeySizeInBitsForVerifyingMap[algorithm] = 2048;
    }

    private readonly TokenCache _cache;

    public TokenValidator(AuthSettings settings, IEnumerable<JwksCache> caches, TimeProvider time, TokenCache cache)
    {
        _settings = settings;
        _time = time;
        _cache = cache;
        _byIssuer = caches.ToDictionary(c => c.Provider.Issuer, c => (c.Provider, c, Parameters(c.Provider, settings.ClockSkew)), StringComparer.Ordinal);
    }

    private static TokenValidationParameters Parameters(ProviderSettings provider, TimeSpan skew) => new()
    {
        ValidIssuer = provider.Issuer,
        ValidAudience = provider.Audience,
        ValidAlgorithms = provider.Algorithms,
        ClockSkew = skew,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        // Library defaults the contract forbids: no trying every key, and "api/" is not "api".
        TryAllIssuerSigningKeys = false,
        IgnoreTrailingSlashWhenValidatingAudience = false,
        ValidateIssuerSigningKey = false,
    };

    public async ValueTask<TokenCheck> ValidateAsync(string token, CancellationToken ct)
    {
        if (token.Length > MaxTokenLength)
            return new TokenCheck.Invalid("token too large");
        if (_cache.Find(token, _time.GetUtcNow()) is { } known)
            return new TokenCheck.Valid(known);

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return new TokenCheck.Invalid("malformed token");
        }
        if (jwt.IsEncrypted)
            return new TokenCheck.Invalid("encrypted tokens are not accepted");

        var issuer = jwt.TryGetPayloadValue<string>("iss", out var iss) ? iss : null;
        var kid = string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid;
        if (issuer is null || !_byIssuer.TryGetValue(issuer, out var entry))
            return new TokenCheck.Invalid("unknown issuer", issuer, kid);
        // Gatehouse understands no critical header extension, so any "crit" means "do not accept" (RFC 7515 §4.1.11).
        if (jwt.TryGetHeaderValue<object>("crit", out _))
            return new TokenCheck.Invalid("unsupported critical header", issuer, kid);
        if (!entry.Provider.Algorithms.Contains(jwt.Alg))
            return new TokenCheck.Invalid("signing algorithm not allowed", issuer, kid);
        if (kid is null)
            return new TokenCheck.Invalid("token has no kid", issuer);

        var lookup = await entry.Keys.GetKeyAsync(kid, ct);
        switch (lookup.Outcome)
        {
            case KeyLookupOutcome.Unavailable:
                return new TokenCheck.Unavailable(lookup.RetryAfter, entry.Provider.Name);
            case KeyLookupOutcome.Unknown:
                return new TokenCheck.Invalid("unknown signing key", issuer, kid);
        }

        var parameters = entry.Parameters.Clone();
        parameters.IssuerSigningKey = lookup.Key;
        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
            return new TokenCheck.Invalid(Describe(result.Exception), issuer, kid);

        var now = _time.GetUtcNow();
        if (jwt.TryGetPayloadValue<long>("iat", out var iat) && DateTimeOffset.FromUnixTimeSeconds(iat) > now + _settings.ClockSkew)
            return new TokenCheck.Invalid("token issued in the future", issuer, kid);
        if (string.IsNullOrWhiteSpace(jwt.Subject) || jwt.Subject.Length > 255)
            return new TokenCheck.Invalid("token has no usable sub", issuer, kid);

        var identity = ClaimsReader.Identity(entry.Provider.Kind, jwt, _settings.ClaimNamespace);
        if (entry.Keys.ThumbprintOf(kid, lookup.Key!) is { } thumbprint)
            _cache.Store(token, new TokenCache.Entry(identity, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), entry.Keys, kid, thumbprint));
        return new TokenCheck.Valid(identity);
    }

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no exp",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not allowed",
        SecurityTokenInvalidLifetimeException => "invalid lifetime",
        SecurityTokenSignatureKeyNotFoundException => "unknown signing key",
        SecurityTokenInvalidSignatureException => "invalid signature",
        _ => "invalid token",
    };
}
