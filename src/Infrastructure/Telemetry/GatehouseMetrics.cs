using System.Diagnostics.Metrics;

namespace Gatehouse.Infrastructure.Telemetry;

/// <summary>
/// Gatehouse's own instruments, on the meter "Gatehouse". Names follow OpenTelemetry (no unit or
/// <c>_total</c> in the name); the Prometheus exporter adds <c>_total</c> to counters, so
/// <c>gatehouse.token_validations</c> is scraped as <c>gatehouse_token_validations_total</c>, the
/// contract's name. Tag values are a small fixed set (never a subject, key or token).
/// The three counted on every request (token validations, cache lookups, API-key authentications)
/// are observable counters over <see cref="Tally"/>: a request adds with one interlocked increment,
/// and a reader collects the totals. As ordinary counters, their OpenTelemetry aggregation (a tag
/// lookup per measurement) was the largest cost telemetry added to a steady request in a profile
/// under the bench's load. The rare events stay ordinary counters, one measurement each.
/// </summary>
public sealed class GatehouseMetrics
{
    public const string MeterName = "Gatehouse";

    private readonly Tally _tokenValidations = new("provider", "outcome");
    private readonly Counter<long> _jwksFetches;
    private readonly Tally _cacheLookups = new("cache", "result");
    private readonly Counter<long> _usersProvisioned;
    private readonly Tally _apiKeyAuthentications = new("outcome");
    private readonly Counter<long> _rateLimited;

    public GatehouseMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("gatehouse.token_validations", _tokenValidations.Observe, "{token}",
            "Bearer tokens checked, by provider (auth0, authentik, unknown) and outcome (valid, invalid, unavailable).");
        _jwksFetches = meter.CreateCounter<long>("gatehouse.jwks_fetches", "{fetch}",
            "JWKS fetches from an identity provider, by provider and outcome (success, failure).");
        meter.CreateObservableCounter("gatehouse.cache_lookups", _cacheLookups.Observe, "{lookup}",
            "Lookups in Gatehouse's in-memory caches, by cache (token, caller, api_key) and result (hit, miss).");
        _usersProvisioned = meter.CreateCounter<long>("gatehouse.users_provisioned", "{user}",
            "Users created on their first request, by provider.");
        meter.CreateObservableCounter("gatehouse.api_key_authentications", _apiKeyAuthentications.Observe, "{request}",
            "X-API-Key credentials checked, by outcome (valid, invalid).");
        _rateLimited = meter.CreateCounter<long>("gatehouse.rate_limited", "{request}",
            "Requests refused with 429 because a rate limit was reached, by limit (credential, anonymous, auth_failures).");
    }

    public void TokenValidation(string provider, string outcome) => _tokenValidations.Add(provider, outcome);

    public void JwksFetch(string provider, bool success) =>
        _jwksFetches.Add(1, new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("outcome", success ? "success" : "failure"));

    public void CacheLookup(string cache, bool hit) => _cacheLookups.Add(cache, hit ? "hit" : "miss");

    public void UserProvisioned(string provider) =>
        _usersProvisioned.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void ApiKeyAuthentication(bool valid) => _apiKeyAuthentications.Add(valid ? "valid" : "invalid");

    public void RateLimited(string limit) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>
    /// A count per combination of one or two tag values, kept in this process. The series are few
    /// (the values come from Gatehouse's code, never from a request), so finding one is a scan of a
    /// short array that is replaced, never changed, when a new combination first appears.
    /// </summary>
    private sealed class Tally(string key, string? secondKey = null)
    {
        private sealed class Series(string value, string? second, KeyValuePair<string, object?>[] tags)
        {
            public readonly string Value = value;
            public readonly string? Second = second;
            public readonly KeyValuePair<string, object?>[] Tags = tags;
            public long Count;
        }

        private readonly Lock _adding = new();
        private volatile Series[] _series = [];

        public void Add(string value, string? second = null)
        {
            foreach (var series in _series)
                if (series.Value == value && series.Second == second)
                {
                    Interlocked.Increment(ref series.Count);
                    return;
                }
            lock (_adding)
            {
                var found = Array.Find(_series, s => s.Value == value && s.Second == second);
                if (found is null)
                {
                    KeyValuePair<string, object?>[] tags = secondKey is null
                        ? [new(key, value)]
                        : [new(key, value), new(secondKey, second)];
                    found = new Series(value, second, tags);
                    _series = [.. _series, found];
                }
                Interlocked.Increment(ref found.Count);
            }
        }

        public IEnumerable<Measurement<long>> Observe() =>
            _series.Select(s => new Measurement<long>(Interlocked.Read(ref s.Count), s.Tags));
    }
}
