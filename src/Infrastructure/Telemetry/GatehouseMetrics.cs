using System.Diagnostics.Metrics;

namespace Gatehouse.Infrastructure.Telemetry;

/// <summary>
/// Gatehouse's own instruments, on the meter "Gatehouse". Names follow OpenTelemetry (no unit or
/// <c>_total</c> in the name); the Prometheus exporter adds <c>_total</c> to counters, so
/// <c>gatehouse.token_validations</c> is scraped as <c>gatehouse_token_validations_total</c>, the
/// contract's name. Tag values are a small fixed set (never a subject, key or token).
/// </summary>
public sealed class GatehouseMetrics
{
    public const string MeterName = "Gatehouse";

    private readonly Counter<long> _tokenValidations;
    private readonly Counter<long> _jwksFetches;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _usersProvisioned;
    private readonly Counter<long> _apiKeyAuthentications;
    private readonly Counter<long> _rateLimited;

    public GatehouseMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _tokenValidations = meter.CreateCounter<long>("gatehouse.token_validations", "{token}",
            "Bearer tokens checked, by provider (auth0, authentik, unknown) and outcome (valid, invalid, unavailable).");
        _jwksFetches = meter.CreateCounter<long>("gatehouse.jwks_fetches", "{fetch}",
            "JWKS fetches from an identity provider, by provider and outcome (success, failure).");
        _cacheLookups = meter.CreateCounter<long>("gatehouse.cache_lookups", "{lookup}",
            "Lookups in Gatehouse's in-memory caches, by cache (token, caller, api_key) and result (hit, miss).");
        _usersProvisioned = meter.CreateCounter<long>("gatehouse.users_provisioned", "{user}",
            "Users created on their first request, by provider.");
        _apiKeyAuthentications = meter.CreateCounter<long>("gatehouse.api_key_authentications", "{request}",
            "X-API-Key credentials checked, by outcome (valid, invalid).");
        _rateLimited = meter.CreateCounter<long>("gatehouse.rate_limited", "{request}",
            "Requests refused with 429 because a rate limit was reached, by limit (credential, anonymous, auth_failures).");
    }

    public void TokenValidation(string provider, string outcome) =>
        _tokenValidations.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", outcome));

    public void JwksFetch(string provider, bool success) =>
        _jwksFetches.Add(1, new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("outcome", success ? "success" : "failure"));

    public void CacheLookup(string cache, bool hit) =>
        _cacheLookups.Add(1, new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void UserProvisioned(string provider) =>
        _usersProvisioned.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void ApiKeyAuthentication(bool valid) =>
        _apiKeyAuthentications.Add(1, new KeyValuePair<string, object?>("outcome", valid ? "valid" : "invalid"));

    public void RateLimited(string limit) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
