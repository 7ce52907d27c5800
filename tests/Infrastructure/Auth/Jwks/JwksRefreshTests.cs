using System.Net;
using System.Net.Http.Headers;
using DevIdp.Tokens;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Infrastructure.Auth.Jwks;

/// <summary>
/// The key-set cache against a real JWKS over HTTP, each test with a Gatehouse process and a provider
/// of its own, so that no other test spends its refetch cooldown.
/// </summary>
public sealed class JwksRefreshTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static string Me => Route.To<Me.Endpoint>();

    private async Task<(TestIdentityProvider Idp, ApiProcess Api)> StartAsync()
    {
        var idp = await TestIdentityProvider.StartAuth0Async();
        var api = await ApiProcess.StartAsync(TestApp.Environment(fixture.App.Db, idp, null));
        return (idp, api);
    }

    private static async Task<HttpResponseMessage> CallAsync(ApiProcess api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.Http.SendAsync(request);
    }

    [Fact]
    public async Task Rotation_is_picked_up_without_restart_and_an_outage_keeps_known_keys_working()
    {
        var (idp, api) = await StartAsync();
        await using var _ = idp;
        await using var __ = api;
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK);

        idp.Rotate();
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK, api.Output);

        idp.Behaviour = TestIdentityProvider.Mode.Fail;
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Five_hundred_random_kids_cause_at_most_two_fetches_and_are_all_401()
    {
        var (idp, api) = await StartAsync();
        await using var _ = idp;
        await using var __ = api;
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = idp.Fetches;

        var attacker = SigningKey.CreateRsa();
        using var gate = new SemaphoreSlim(50);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var token = TokenMinter.Mint(attacker, idp.Claims(Unique.Subject()), new() { ["kid"] = SigningKey.NewKid() });
                return (await CallAsync(api, token)).StatusCode;
            }
            finally { gate.Release(); }
        }));

        statuses.ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        (idp.Fetches - before).ShouldBeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task After_a_failed_refetch_an_unknown_kid_is_503_with_retry_after()
    {
        var (idp, api) = await StartAsync();
        await using var _ = idp;
        await using var __ = api;
        // This request may reach the API before its start-up fetch has begun (or after it failed on a busy
        // machine); its fetch used to start the cooldown, so that the rotated kid below got no refetch (a 401).
        // A fetch that fills the empty cache now leaves the cooldown unspent, and a kid still unknown after
        // joining a refresh under way gets a refetch of its own: whatever the timing, that refetch fails.
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK);

        idp.Behaviour = TestIdentityProvider.Mode.Fail;
        var subject = Unique.Subject();
        var response = await CallAsync(api, TokenMinter.Mint(idp.Rotate(), idp.Claims(subject)));

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        (await fixture.App.ScalarAsync<int>("select count(*) from users where auth0_id = @subject", new { subject })).ShouldBe(0);
    }

    public static TheoryData<string> UnusableEntries => new()
    {
        "oct key", "not an object", "unknown curve", "malformed base64url n", "missing e", "kid a number",
        "long kid holding a newline",
    };

    [Theory]
    [MemberData(nameof(UnusableEntries))]
    public async Task An_unusable_jwks_entry_is_skipped_with_a_warning_and_the_good_and_rotated_in_keys_serve(string kind)
    {
        var idp = await TestIdentityProvider.StartAuth0Async();
        await using var _ = idp;
        var (entry, logged) = Unusable(kind, idp.Key);
        idp.ExtraEntries = [entry];
        await using var api = await ApiProcess.StartAsync(TestApp.Environment(fixture.App.Db, idp, null));

        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK, api.Output);
        idp.Rotate();
        (await CallAsync(api, idp.Token(Unique.Subject()))).StatusCode.ShouldBe(HttpStatusCode.OK, api.Output);

        api.Output.ShouldContain($"Skipping JWKS entry 1 of auth0 (kid {logged})");
        if (kind == "long kid holding a newline")
            api.Output.ShouldNotContain(new string('k', 100));
    }

    /// <summary>An entry a provider should never publish, and how its kid must appear in the log line.</summary>
    private static (string Entry, string LoggedKid) Unusable(string kind, SigningKey good)
    {
        var rsa = good.ToPublicJwk();
        switch (kind)
        {
            case "oct key": return ("""{"kty":"oct","kid":"bad-oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"}""", "bad-oct");
            case "not an object": return ("\"a string\"", "none");
            case "unknown curve": return ("""{"kty":"EC","kid":"bad-curve","crv":"P-999","x":"AAAA","y":"AAAA"}""", "bad-curve");
            case "malformed base64url n": rsa["kid"] = "bad-n"; rsa["n"] = "!!not base64url!!"; return (rsa.ToJsonString(), "bad-n");
            case "missing e": rsa["kid"] = "bad-e"; rsa.Remove("e"); return (rsa.ToJsonString(), "bad-e");
            case "kid a number": rsa["kid"] = 42; return (rsa.ToJsonString(), "none");
            case "long kid holding a newline":
                return ($$"""{"kty":"oct","kid":"evil\nline{{new string('k', 5000)}}","k":"c2VjcmV0"}""", "evil?line" + new string('k', 55) + "…");
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    [Fact]
    public async Task An_empty_jwks_is_reported_at_start_up_and_in_readiness_with_the_fix()
    {
        await using var idp = await TestIdentityProvider.StartAuthentikAsync();
        idp.Publish();
        await using var auth0 = await TestIdentityProvider.StartAuth0Async();
        var env = TestApp.Environment(fixture.App.Db, auth0, idp);
        await using var api = await ApiProcess.StartAsync(env);

        HttpResponseMessage ready = null!;
        for (var i = 0; i < 50; i++)
        {
            ready = await api.Http.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.ServiceUnavailable) break;
            await Task.Delay(100);
        }
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("assign an RSA or EC signing key");
        api.Output.ShouldContain("assign an RSA or EC signing key");
    }
}
