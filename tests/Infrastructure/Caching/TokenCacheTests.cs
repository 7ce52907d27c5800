using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using DevIdp.Tokens;
using Gatehouse.Infrastructure.Auth.Jwks;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.Telemetry;
using Gatehouse.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Tests.Infrastructure.Caching;

/// <summary>The validated-token cache: what it remembers, and everything that makes it forget.</summary>
public sealed class TokenCacheTests
{
    private const string Issuer = "https://tenant.example.com/";
    private const string Audience = "https://api.example.com/";

    private sealed class ScriptedFetcher : JwksFetcher
    {
        public List<SigningKey> Keys { get; set; } = [];

        public override Task<Result> FetchAsync(Uri uri, CancellationToken ct) =>
            Task.FromResult(new Result(JwksDocument.Parse(TokenMinter.Jwks(Keys)), null, null));
    }

    private readonly ScriptedFetcher _fetcher = new();
    private readonly SigningKey _key = SigningKey.CreateRsa();

    private (TokenValidator Validator, TokenCache Cache, JwksCache Keys) Build(long maxEntries = 1000)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AUTH0_ISSUER"] = Issuer,
            ["AUTH0_AUDIENCE"] = Audience,
            ["AUTH_CLOCK_SKEW_SECONDS"] = "0",
            ["TOKEN_CACHE_MAX_ENTRIES"] = maxEntries.ToString(),
        }).Build();
        var auth = AuthSettings.Read(config, new HostingEnvironment { EnvironmentName = "Development" });
        var metrics = new GatehouseMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var cache = new TokenCache(CacheSettings.Read(config, new DatabaseSetup.ConnectionStrings("Host=unused", "Host=unused", false)),
            auth, metrics);
        var keys = new JwksCache(auth.Providers[0], _fetcher, TimeProvider.System, NullLogger.Instance, metrics);
        return (new TokenValidator(auth, [keys], TimeProvider.System, cache, metrics), cache, keys);
    }

    private static string Token(SigningKey key, string subject, TimeSpan lifetime) =>
        TokenMinter.Mint(key, TokenMinter.Claims(Issuer, Audience, subject, lifetime));

    [Fact]
    public async Task A_valid_token_is_remembered_and_answered_again()
    {
        _fetcher.Keys = [_key];
        var (validator, cache, _) = Build();
        var token = Token(_key, "auth0|one", TimeSpan.FromHours(1));

        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Valid>();
        cache.Count.ShouldBe(1);
        var again = (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Valid>();
        again.Identity.Subject.ShouldBe("auth0|one");
        cache.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_expired_token_is_refused_even_though_it_was_remembered()
    {
        _fetcher.Keys = [_key];
        var (validator, cache, _) = Build();
        (await validator.ValidateAsync(Token(_key, "auth0|warm-up", TimeSpan.FromHours(1)), default)).ShouldBeOfType<TokenCheck.Valid>();
        var token = Token(_key, "auth0|expiring", TimeSpan.FromSeconds(3));
        var expires = DateTimeOffset.UtcNow.AddSeconds(3);
        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Valid>();
        cache.Count.ShouldBe(2);

        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5));

        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Invalid>().Reason.ShouldBe("token expired");
        cache.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_entry_goes_when_its_kid_leaves_the_jwks()
    {
        _fetcher.Keys = [_key];
        var (validator, _, keys) = Build();
        var token = Token(_key, "auth0|rotated-out", TimeSpan.FromHours(1));
        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Valid>();

        _fetcher.Keys = [SigningKey.CreateRsa()];
        await keys.RefreshAsync();

        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Invalid>();
    }

    [Fact]
    public async Task An_entry_goes_when_the_kid_names_other_key_material()
    {
        _fetcher.Keys = [_key];
        var (validator, _, keys) = Build();
        var token = Token(_key, "auth0|same-kid", TimeSpan.FromHours(1));
        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Valid>();

        _fetcher.Keys = [SigningKey.CreateRsa(kid: _key.Kid)];
        await keys.RefreshAsync();

        (await validator.ValidateAsync(token, default)).ShouldBeOfType<TokenCheck.Invalid>();
    }

    [Fact]
    public async Task The_entry_bound_holds_and_validation_goes_on_past_it()
    {
        _fetcher.Keys = [_key];
        var (validator, cache, _) = Build(maxEntries: 3);
        for (var i = 0; i < 10; i++)
            (await validator.ValidateAsync(Token(_key, $"auth0|bound-{i}", TimeSpan.FromHours(1)), default)).ShouldBeOfType<TokenCheck.Valid>();
        cache.Count.ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_failure_is_not_remembered()
    {
        _fetcher.Keys = [_key];
        var (validator, cache, _) = Build();
        var foreign = Token(SigningKey.CreateRsa(kid: _key.Kid), "auth0|forged", TimeSpan.FromHours(1));
        (await validator.ValidateAsync(foreign, default)).ShouldBeOfType<TokenCheck.Invalid>();
        (await validator.ValidateAsync(foreign, default)).ShouldBeOfType<TokenCheck.Invalid>();
        cache.Count.ShouldBe(0);
    }
}
