using DevIdp.Tokens;
using Gatehouse.Infrastructure.Auth.Jwks;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Telemetry;
using Gatehouse.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Tests.Infrastructure.Auth.Jwks;

/// <summary>The refresh policy, decided against a scripted JWKS and a manual clock.</summary>
public sealed class JwksCacheTests
{
    private sealed class ScriptedFetcher : JwksFetcher
    {
        public List<SigningKey> Keys { get; set; } = [];
        public bool Failing { get; set; }
        public TimeSpan? MaxAge { get; set; }
        public TimeSpan Delay { get; set; }
        public int Fetches;

        public override async Task<Result> FetchAsync(Uri uri, CancellationToken ct)
        {
            // What the provider publishes when the request reaches it, whatever changes during the delay.
            var body = Failing ? null : TokenMinter.Jwks(Keys);
            Interlocked.Increment(ref Fetches);
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            return body is null ? new Result(null, null, "HTTP 503") : new Result(JwksDocument.Parse(body), MaxAge, null);
        }
    }

    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly ScriptedFetcher _fetcher = new();
    private readonly SigningKey _key = SigningKey.CreateRsa();
    private readonly GatehouseMetrics _metrics = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private JwksCache Cache(params string[] algorithms) => new(
        new ProviderSettings(ProviderKind.Auth0, "https://tenant.example.com/", "api", "spa", new Uri("https://tenant.example.com/.well-known/jwks.json"),
            algorithms.Length == 0 ? ["RS256"] : algorithms, "", "", "tenant.example.com"),
        _fetcher, _time, NullLogger.Instance, _metrics);

    /// <summary>A cache that fetches over HTTP from a real test provider.</summary>
    private JwksCache HttpCache(TestIdentityProvider idp, JwksFetcher fetcher, TimeProvider? time = null) => new(
        new ProviderSettings(ProviderKind.Auth0, idp.Issuer, idp.Audience, "spa", new Uri(idp.JwksUrl), ["RS256"], "", "", "127.0.0.1"),
        fetcher, time ?? _time, NullLogger.Instance, _metrics);

    [Fact]
    public async Task A_known_kid_is_served_from_cache_without_fetching_again()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(1);
    }

    [Fact]
    public async Task A_rotated_key_is_picked_up_by_the_request_that_meets_it()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        await cache.GetKeyAsync(_key.Kid, default);
        _time.Advance(TimeSpan.FromMinutes(1));

        var rotated = SigningKey.CreateRsa();
        _fetcher.Keys = [_key, rotated];
        var lookup = await cache.GetKeyAsync(rotated.Kid, default);

        lookup.Outcome.ShouldBe(KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(2);
    }

    [Fact]
    public async Task Unknown_kids_cause_one_refetch_per_cooldown_however_many_arrive()
    {
        _fetcher.Keys = [_key];
        _fetcher.Delay = TimeSpan.FromMilliseconds(50);
        var cache = Cache();
        await cache.GetKeyAsync(_key.Kid, default);
        _time.Advance(JwksCache.RefetchCooldown);

        var lookups = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => cache.GetKeyAsync(SigningKey.NewKid(), default).AsTask()));

        lookups.ShouldAllBe(l => l.Outcome == KeyLookupOutcome.Unknown);
        _fetcher.Fetches.ShouldBe(2);

        _time.Advance(JwksCache.RefetchCooldown);
        await cache.GetKeyAsync("yet-another", default);
        _fetcher.Fetches.ShouldBe(3);
    }

    [Fact]
    public async Task A_request_that_finds_the_cache_empty_fetches_without_spending_the_next_unknown_kids_refetch()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        // The first request can reach the cache before the refresher has begun its start-up fetch.
        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);

        var rotated = SigningKey.CreateRsa();
        _fetcher.Keys = [_key, rotated];
        (await cache.GetKeyAsync(rotated.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(2);
    }

    [Fact]
    public async Task After_a_failed_start_up_fetch_the_request_that_fills_the_cache_does_not_spend_the_next_unknown_kids_refetch()
    {
        _fetcher.Keys = [_key];
        _fetcher.Failing = true;
        var cache = Cache();
        await cache.RefreshAsync();
        _fetcher.Failing = false;
        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);

        var rotated = SigningKey.CreateRsa();
        _fetcher.Keys = [_key, rotated];
        (await cache.GetKeyAsync(rotated.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(3);
    }

    [Fact]
    public async Task During_an_outage_with_nothing_cached_requests_do_not_fetch_more_than_once_per_cooldown()
    {
        _fetcher.Failing = true;
        var cache = Cache();
        await cache.RefreshAsync();

        for (var i = 0; i < 5; i++)
            (await cache.GetKeyAsync(SigningKey.NewKid(), default)).Outcome.ShouldBe(KeyLookupOutcome.Unavailable);

        _fetcher.Fetches.ShouldBe(2);
    }

    [Fact]
    public async Task Requests_during_the_start_up_fetch_join_it()
    {
        _fetcher.Keys = [_key];
        _fetcher.Delay = TimeSpan.FromMilliseconds(100);
        var cache = Cache();
        var startUp = cache.RefreshAsync();

        var lookups = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.GetKeyAsync(_key.Kid, default).AsTask()));
        await startUp;

        lookups.ShouldAllBe(l => l.Outcome == KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(1);
    }

    [Fact]
    public async Task A_kid_still_unknown_after_joining_a_background_refresh_gets_a_refetch_of_its_own()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        await cache.RefreshAsync();
        _time.Advance(JwksCache.MaxRefresh);

        // The background refresh reached the provider just before the key rotated in.
        _fetcher.Delay = TimeSpan.FromMilliseconds(200);
        var background = cache.RefreshAsync();
        await Eventually(() => _fetcher.Fetches == 2);
        var rotated = SigningKey.CreateRsa();
        _fetcher.Keys = [_key, rotated];

        var lookup = await cache.GetKeyAsync(rotated.Kid, default);
        await background;

        lookup.Outcome.ShouldBe(KeyLookupOutcome.Found);
        _fetcher.Fetches.ShouldBe(3);
    }

    [Theory]
    [InlineData("<html>not json</html>")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"keys": 5}""")]
    [InlineData("""{"keys": {"kid": "x"}}""")]
    public async Task A_document_that_is_not_an_object_with_a_keys_array_is_a_failed_fetch_that_keeps_the_last_keys(string body)
    {
        await using var idp = await TestIdentityProvider.StartAuth0Async();
        using var fetcher = new JwksFetcher();
        var cache = HttpCache(idp, fetcher);
        await FillAsync(cache);

        idp.RawDocument = body;
        _time.Advance(JwksCache.MaxRefresh);
        await cache.RefreshAsync();

        (await cache.GetKeyAsync(idp.Key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        cache.NextRefreshDelay.ShouldBe(JwksCache.RefetchCooldown);
        cache.EmptyKeySetProblem.ShouldBeNull();
    }

    /// <summary>A first successful fetch over HTTP, patient with a machine so busy that one fetch can time out.</summary>
    private static async Task FillAsync(JwksCache cache)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await cache.RefreshAsync();
            if (cache.NextRefreshDelay == JwksCache.MaxRefresh) return;
        }
        throw new TimeoutException("the test provider's JWKS could not be fetched");
    }

    [Fact]
    public async Task The_refresher_keeps_refreshing_after_a_bad_document_and_an_entry_that_cannot_be_parsed()
    {
        await using var idp = await TestIdentityProvider.StartAuth0Async();
        idp.RawDocument = "not a key set";
        using var fetcher = new JwksFetcher();
        // A fake clock whose timers fire when it is advanced, so that the refresher's waits take no real time.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var cache = HttpCache(idp, fetcher, time);
        using var refresher = new JwksRefresher([cache], time, NullLogger<JwksRefresher>.Instance);
        await refresher.StartAsync(default);
        await Eventually(() => idp.Fetches >= 1);

        // A malformed base64url modulus next to the good key used to throw out of the refresh and stop the host.
        var good = idp.Key.ToPublicJwk();
        good["kid"] = "bad-n";
        good["n"] = "!!not base64url!!";
        idp.ExtraEntries = [good.ToJsonString()];
        idp.RawDocument = null;
        await Eventually(() => { time.Advance(JwksCache.RefetchCooldown); return idp.Fetches >= 2; });
        await Eventually(() => { time.Advance(JwksCache.MaxRefresh); return idp.Fetches >= 3; });

        refresher.ExecuteTask.ShouldNotBeNull().IsCompleted.ShouldBeFalse();
        (await cache.GetKeyAsync(idp.Key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        await refresher.StopAsync(default);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task An_outage_keeps_known_keys_working_and_makes_unknown_kids_unavailable()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        await cache.GetKeyAsync(_key.Kid, default);
        _fetcher.Failing = true;
        _time.Advance(TimeSpan.FromHours(1));
        await cache.RefreshAsync();

        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
        var unknown = await cache.GetKeyAsync("new-kid", default);
        unknown.Outcome.ShouldBe(KeyLookupOutcome.Unavailable);
        unknown.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
    }

    [Fact]
    public async Task Cached_keys_expire_after_a_day_of_failed_refreshes()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        await cache.GetKeyAsync(_key.Kid, default);
        _fetcher.Failing = true;
        _time.Advance(JwksCache.MaxStaleness + TimeSpan.FromMinutes(1));

        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Unavailable);
    }

    [Fact]
    public async Task After_a_successful_refetch_without_the_kid_the_answer_is_unknown_and_after_a_failed_one_unavailable()
    {
        _fetcher.Keys = [_key];
        var cache = Cache();
        (await cache.GetKeyAsync("missing", default)).Outcome.ShouldBe(KeyLookupOutcome.Unknown);

        _time.Advance(JwksCache.RefetchCooldown);
        _fetcher.Failing = true;
        (await cache.GetKeyAsync("missing", default)).Outcome.ShouldBe(KeyLookupOutcome.Unavailable);

        _time.Advance(JwksCache.RefetchCooldown);
        _fetcher.Failing = false;
        (await cache.GetKeyAsync("missing", default)).Outcome.ShouldBe(KeyLookupOutcome.Unknown);
    }

    [Fact]
    public async Task Weak_rsa_hmac_and_disallowed_keys_are_never_served()
    {
        var weak = SigningKey.CreateRsa(bits: 1024);
        var ec = SigningKey.CreateEc();
        _fetcher.Keys = [weak, ec, _key];
        var cache = Cache("RS256");

        (await cache.GetKeyAsync(weak.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Unknown);
        (await cache.GetKeyAsync(ec.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Unknown);
        (await cache.GetKeyAsync(_key.Kid, default)).Outcome.ShouldBe(KeyLookupOutcome.Found);
    }

    [Fact]
    public async Task An_empty_key_set_is_diagnosed_with_the_fix()
    {
        _fetcher.Keys = [];
        var cache = Cache();
        await cache.RefreshAsync();
        cache.EmptyKeySetProblem.ShouldNotBeNull();
        cache.EmptyKeySetProblem.ShouldContain("assign an RSA or EC signing key");
    }

    [Theory]
    [InlineData(5, 60)]
    [InlineData(300, 300)]
    [InlineData(86400, 600)]
    [InlineData(null, 600)]
    public async Task Background_refresh_follows_max_age_clamped_to_one_to_ten_minutes(int? maxAgeSeconds, int expectedSeconds)
    {
        _fetcher.Keys = [_key];
        _fetcher.MaxAge = maxAgeSeconds is null ? null : TimeSpan.FromSeconds(maxAgeSeconds.Value);
        var cache = Cache();
        await cache.RefreshAsync();
        cache.NextRefreshDelay.ShouldBe(TimeSpan.FromSeconds(expectedSeconds));
    }
}
