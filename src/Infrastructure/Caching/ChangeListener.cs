using Npgsql;

namespace Gatehouse.Infrastructure.Caching;

/// <summary>
/// Keeps one session-mode connection LISTENing on the cache channel and tells <see cref="CallerCache"/>
/// what changed. While idle it checks the connection every <see cref="HeartbeatInterval"/>, so a
/// connection that died silently stops the cache from answering within <see cref="CallerCache.MaxSilence"/>.
/// Any failure (including pg_terminate_backend) disconnects the cache, which then reads the database
/// until the listener is back.
/// </summary>
public sealed class ChangeListener(CacheSettings settings, CallerCache cache, ILogger<ChangeListener> logger) : BackgroundService
{
    public const string Channel = "gatehouse_cache";
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.CallerCacheMaxEntries <= 0)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning("Cache change listener lost its connection ({Error}); answering from the database until it is back",
                    e.Message);
            }
            finally
            {
                cache.Disconnected();
            }
            try { await Task.Delay(RetryDelay, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ListenConnectionString);
        await connection.OpenAsync(ct);
        connection.Notification += (_, e) =>
        {
            cache.Heard();
            foreach (var item in e.Payload.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                cache.Forget(item);
        };
        await using (var listen = new NpgsqlCommand($"listen {Channel}", connection))
            await listen.ExecuteNonQueryAsync(ct);
        cache.Connected();
        logger.LogInformation("Cache change listener connected");

        await using var heartbeat = new NpgsqlCommand("select 1", connection);
        while (true)
        {
            if (!await connection.WaitAsync(HeartbeatInterval, ct))
                await heartbeat.ExecuteScalarAsync(ct);
            cache.Heard();
        }
    }
}
