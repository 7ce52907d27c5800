using Gatehouse.Infrastructure.Database;
using Npgsql;

namespace Gatehouse.Infrastructure.Caching;

/// <summary>Bounds of the in-memory caches and the connection that hears about changes, read once at start-up.</summary>
public sealed record CacheSettings(long TokenCacheMaxEntries, long TokenCacheMaxBytes, long CallerCacheMaxEntries, string ListenConnectionString)
{
    public static CacheSettings Read(IConfiguration config, DatabaseSetup.ConnectionStrings connections)
    {
        // LISTEN needs a session-mode connection: behind a transaction-mode pooler (PgBouncer), point
        // LISTEN_DATABASE_URL at PostgreSQL itself.
        var listen = string.IsNullOrWhiteSpace(config["LISTEN_DATABASE_URL"])
            ? connections.Runtime
            : DatabaseUrl.ToConnectionString(config["LISTEN_DATABASE_URL"]!, "LISTEN_DATABASE_URL");
        var builder = new NpgsqlConnectionStringBuilder(listen)
        {
            Pooling = false,
            ApplicationName = "gatehouse-cache-listener",
            Timeout = 5,
            CommandTimeout = 5,
        };
        return new CacheSettings(
            Whole(config, "TOKEN_CACHE_MAX_ENTRIES", 100_000),
            Whole(config, "TOKEN_CACHE_MAX_MB", 64) * 1024 * 1024,
            Whole(config, "CALLER_CACHE_MAX_ENTRIES", 50_000),
            builder.ConnectionString);
    }

    private static long Whole(IConfiguration config, string variable, long fallback)
    {
        var text = config[variable];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        return long.TryParse(text, out var value) && value >= 0
            ? value
            : throw new StartupException($"{variable} must be a whole number, 0 or more (0 turns the cache off).");
    }
}
