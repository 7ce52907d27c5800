using DevIdp.Tokens;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Tests.Infrastructure.Auth;

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
            Interlocked.Increment(ref Fetches);
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            return Failing ? new Result(null, null, "HTTP 503") : new Result(new JsonWebKeySet(TokenMinter.Jwks(Keys)), MaxAge, null);
        }
    }

    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly ScriptedFetcher _fetcher = new();
    private readonly SigningKey _key = SigningKey.CreateRsa();

    private JwksCache Cache(params string[] algorithms) => new(
        new ProviderSettings(ProviderKind.Auth0, "https://tenant.example.com/", "api", "spa", new Uri("https://tenant.example.com/.well-known/jwks.json"),
            algorithms.Length == 0 ? ["RS256"] : algorithms, "", "", "tenant.example.com"),
        _fetcher, _time, NullLogger.Instance);

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
