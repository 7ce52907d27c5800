using System.Text.Json;
using Gatehouse.Infrastructure.Auth.Jwks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Telemetry;

namespace Gatehouse.Infrastructure.Auth.Tokens;

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
    private readonly GatehouseMetrics _metrics;

    public TokenValidator(AuthSettings settings, IEnumerable<JwksCache> caches, TimeProvider time, TokenCache cache, GatehouseMetrics metrics)
    {
        _settings = settings;
        _time = time;
        _cache = cache;
        _metrics = metrics;
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

    /// <summary>Checks the token and counts the outcome (gatehouse_token_validations_total{provider,outcome}).</summary>
    public async ValueTask<TokenCheck> ValidateAsync(string token, CancellationToken ct)
    {
        // A cache hit completes synchronously, so this wrapper allocates nothing on the steady path.
        var check = await CheckAsync(token, ct);
        switch (check)
        {
            case TokenCheck.Valid valid:
                _metrics.TokenValidation(valid.Identity.Method == AuthMethod.Auth0 ? "auth0" : "authentik", "valid");
                break;
            case TokenCheck.Invalid invalid:
                // The issuer is unverified: only a configured one names a provider, so the tag stays bounded.
                _metrics.TokenValidation(invalid.Issuer is not null && _byIssuer.TryGetValue(invalid.Issuer, out var entry) ? entry.Provider.Name : "unknown",
                    "invalid");
                break;
            case TokenCheck.Unavailable unavailable:
                _metrics.TokenValidation(unavailable.Provider, "unavailable");
                break;
        }
        return check;
    }

    private async ValueTask<TokenCheck> CheckAsync(string token, CancellationToken ct)
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
        if (PayloadProblem(jwt) is { } problem)
            return new TokenCheck.Invalid(problem, issuer, kid);
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
        // The key set holds RSA keys (RS256) and P-256 keys (ES256) only: the token's alg must be its key's.
        var keyAlgorithm = lookup.Key is RsaSecurityKey ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256;
        if (jwt.Alg != keyAlgorithm)
            return new TokenCheck.Invalid("signing algorithm does not match the key", issuer, kid);

        var parameters = entry.Parameters.Clone();
        parameters.IssuerSigningKey = lookup.Key;
        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
            return new TokenCheck.Invalid(Describe(result.Exception, jwt), issuer, kid);

        // IssuedAt is clamped to DateTime's range, so an iat far beyond the year 9999 compares instead of throwing.
        if (jwt.IssuedAt > _time.GetUtcNow().UtcDateTime + _settings.ClockSkew)
            return new TokenCheck.Invalid("token issued in the future", issuer, kid);
        if (string.IsNullOrWhiteSpace(jwt.Subject) || jwt.Subject.Length > 255 || !IsStorableText(jwt.Subject))
            return new TokenCheck.Invalid("token has no usable sub", issuer, kid);

        var identity = ClaimsReader.Identity(entry.Provider.Kind, jwt, _settings.ClaimNamespace);
        if (entry.Keys.ThumbprintOf(kid, lookup.Key!) is { } thumbprint)
            _cache.Store(token, new TokenCache.Entry(identity, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), entry.Keys, kid, thumbprint));
        return new TokenCheck.Valid(identity);
    }

    private static readonly HashSet<string> NumericDateClaims = new(StringComparer.Ordinal) { "exp", "nbf", "iat" };
    private static readonly HashSet<string> StringClaims = new(StringComparer.Ordinal) { "iss", "sub" };

    /// <summary>
    /// What Microsoft.IdentityModel lets through but RFC 7519 does not, read from the payload's JSON itself
    /// (the library converts <c>"exp": "1999999999"</c> and <c>"sub": 123</c> to what it expects): registered
    /// claims of the wrong JSON type, a claim named twice (§4: refuse, rather than keep one), and text that is
    /// not valid Unicode (lone surrogates, which the library trips over only later, when claims are read).
    /// </summary>
    private static string? PayloadProblem(JsonWebToken jwt)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in payload.RootElement.EnumerateObject())
            {
                var registered = NumericDateClaims.Contains(claim.Name) || StringClaims.Contains(claim.Name) || claim.Name == "aud";
                if (!seen.Add(claim.Name))
                    return registered ? $"claim {claim.Name} appears more than once" : "a claim appears more than once";
                if (NumericDateClaims.Contains(claim.Name) && claim.Value.ValueKind != JsonValueKind.Number)
                    return $"claim {claim.Name} must be a number";
                if (StringClaims.Contains(claim.Name) && claim.Value.ValueKind != JsonValueKind.String)
                    return $"claim {claim.Name} must be a string";
                if (claim.Name == "aud" && !IsStringOrStringArray(claim.Value))
                    return "claim aud must be a string or an array of strings";
                ReadAllText(claim.Value);
            }
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a string that does not decode to valid UTF-16 (or a payload that is not an object).
            return "malformed token";
        }
    }

    private static bool IsStringOrStringArray(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        || value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String);

    /// <summary>Decodes every string and member name once; throws <see cref="InvalidOperationException"/> on invalid UTF-16.</summary>
    private static void ReadAllText(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                _ = value.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) ReadAllText(item);
                break;
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    _ = member.Name;
                    ReadAllText(member.Value);
                }
                break;
        }
    }

    /// <summary>No control characters (PostgreSQL cannot store U+0000) and no lone surrogates: a subject is stored as is.</summary>
    private static bool IsStorableText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]))
                return false;
            if (char.IsSurrogate(value[i]))
            {
                if (!char.IsSurrogatePair(value, i)) return false;
                i++;
            }
        }
        return true;
    }

    private string Describe(Exception? e, JsonWebToken jwt) => e switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no exp",
        // IdentityModel checks "nbf after exp" before either end and calls it an invalid lifetime: say which end was hit.
        SecurityTokenInvalidLifetimeException => LifetimeProblem(jwt),
        SecurityTokenInvalidAudienceException => jwt.Audiences.Any() ? "wrong audience" : "token has no aud",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not allowed",
        SecurityTokenSignatureKeyNotFoundException => "unknown signing key",
        SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException => "malformed token",
        _ => "invalid token",
    };

    private string LifetimeProblem(JsonWebToken jwt)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (jwt.ValidTo < now - _settings.ClockSkew)
            return "token expired";
        if (jwt.ValidFrom > now + _settings.ClockSkew)
            return "token not yet valid";
        return "token nbf is after its exp";
    }
}
