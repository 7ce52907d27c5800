using Gatehouse.Infrastructure.Web;

namespace Gatehouse.Infrastructure.Auth.Jwks;

/// <summary>Fetches each provider's JWKS at start-up and then refreshes it in the background.</summary>
public sealed class JwksRefresher(IEnumerable<JwksCache> caches, TimeProvider time, ILogger<JwksRefresher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(caches.Select(cache => RefreshLoopAsync(cache, stoppingToken)));

    private async Task RefreshLoopAsync(JwksCache cache, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = JwksCache.RefetchCooldown;
                try
                {
                    await cache.RefreshAsync();
                    delay = cache.NextRefreshDelay;
                }
                catch (Exception e)
                {
                    // An exception leaving a BackgroundService stops the host: whatever happened, try again later.
                    logger.LogError("Refreshing the JWKS of {Provider} failed unexpectedly ({Error}); retrying in {Delay}",
                        cache.Provider.Name, e.GetType().Name, delay);
                }
                await Task.Delay(delay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Not ready while a provider's JWKS holds no key that can verify a token: say how to fix it.</summary>
public sealed class JwksReadiness(IEnumerable<JwksCache> caches) : IReadinessCheck
{
    public string Name => "identity_providers";

    public Task<string?> ProblemAsync(CancellationToken ct)
    {
        var problems = caches.Select(c => c.EmptyKeySetProblem).OfType<string>().ToList();
        return Task.FromResult(problems.Count == 0 ? null : string.Join(" ", problems));
    }
}
