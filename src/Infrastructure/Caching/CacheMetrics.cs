using System.Diagnostics.Metrics;

namespace Gatehouse.Infrastructure.Caching;

/// <summary>gatehouse_cache_lookups_total{cache,result}: how often memory answered.</summary>
public sealed class CacheMetrics(IMeterFactory meters)
{
    public const string MeterName = "Gatehouse";

    private readonly Counter<long> _lookups = meters.Create(MeterName)
        .CreateCounter<long>("gatehouse_cache_lookups_total", description: "Lookups in Gatehouse's in-memory caches, by cache and result (hit or miss).");

    public void Lookup(string cache, bool hit) =>
        _lookups.Add(1, new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
}
