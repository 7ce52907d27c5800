using System.Diagnostics;

namespace Gatehouse.Tests.Support;

/// <summary>The contract's "within 1 s on every other instance", for tests that run a second instance.</summary>
public static class Consistency
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    /// <summary>A client of another Gatehouse process, with a token or an API key.</summary>
    public static HttpClient Client(this ApiProcess api, string? token = null, string? apiKey = null) =>
        new HttpClient { BaseAddress = new Uri(api.BaseUrl) }.WithCredentials(token, apiKey);

    /// <summary>
    /// Polls until the condition holds; the attempt that sees it must have started within the bound
    /// (the time a request itself takes on a loaded machine is not the cache's).
    /// </summary>
    public static async Task SeenWithinContractAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            clock.Elapsed.ShouldBeLessThan(Bound, "the other instance still answers from what it remembered");
            if (await condition())
                return;
            await Task.Delay(20);
        }
    }
}
