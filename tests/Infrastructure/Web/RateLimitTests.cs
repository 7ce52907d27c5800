using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Web;

/// <summary>
/// One Gatehouse process with small limits (3 a minute each) behind the default trusted proxy
/// (loopback): every test speaks for a client address of its own through X-Forwarded-For, so the
/// tests share the process without sharing a budget.
/// </summary>
public sealed class LimitedApi : IAsyncLifetime
{
    public const int Limit = 3;
    public TestApp App { get; private set; } = null!;
    public ApiProcess Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await TestApp.GetAsync();
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["RATE_LIMIT_PER_MINUTE"] = $"{Limit}";
        env["ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = $"{Limit}";
        env["AUTH_FAILURE_LIMIT_PER_MINUTE"] = $"{Limit}";
        env["FORWARDED_HEADERS"] = "true";
        Api = await ApiProcess.StartAsync(env);
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class RateLimitTests(LimitedApi fixture) : IClassFixture<LimitedApi>
{
    private const int Limit = LimitedApi.Limit;
    private const string Me = "/api/v1/auth/me";
    private const string Config = "/api/v1/auth/config";
    private const string Keys = "/api/v1/api-keys";

    private static string NewAddress() => $"198.18.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";

    private string NewToken() => fixture.App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Limited User"));

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string address, string? token = null,
        string? apiKey = null, object? body = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Forwarded-For", forwardedFor ?? address);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (apiKey is not null) request.Headers.Add("X-API-Key", apiKey);
        if (body is not null) request.Content = JsonContent.Create(body);
        return fixture.Api.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetAsync(string url, string address, string? token = null, string? apiKey = null) =>
        SendAsync(HttpMethod.Get, url, address, token, apiKey);

    [Fact]
    public async Task A_credential_past_its_limit_gets_429_with_Retry_After_and_a_problem()
    {
        var token = NewToken();
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Me, address, token)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await GetAsync(Me, address, token)).ShouldBeRateLimitedAsync();
        // The budget follows the credential, not the address it comes from.
        await (await GetAsync(Me, NewAddress(), token)).ShouldBeRateLimitedAsync();
    }

    [Fact]
    public async Task Another_token_and_an_API_key_of_the_same_user_are_not_affected()
    {
        var token = NewToken();
        var address = NewAddress();
        var created = await (await SendAsync(HttpMethod.Post, Keys, address, token, body: new { name = "limits" }))
            .ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        for (var i = 1; i < Limit; i++)
            (await GetAsync(Me, address, token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(Me, address, token)).ShouldBeRateLimitedAsync();

        (await GetAsync(Me, address, NewToken())).StatusCode.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Me, address, apiKey: key)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(Me, address, apiKey: key)).ShouldBeRateLimitedAsync();
    }

    [Fact]
    public async Task A_throttled_request_changes_nothing()
    {
        var subject = Unique.Subject();
        var token = fixture.App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Before"));
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Me, address, token)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var patch = await SendAsync(HttpMethod.Patch, Me, address, token, body: new { full_name = "After" });

        await patch.ShouldBeRateLimitedAsync();
        (await fixture.App.ScalarAsync<string>("select full_name from users where auth0_id = @subject", new { subject }))
            .ShouldBe("Before");
    }

    [Fact]
    public async Task An_address_past_the_anonymous_limit_gets_429_and_another_address_does_not()
    {
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Config, address)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await GetAsync(Config, address)).ShouldBeRateLimitedAsync();
        (await GetAsync(Config, NewAddress())).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Protected routes count per credential, not against the address's anonymous budget.
        (await GetAsync(Me, address, NewToken())).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_checks_are_never_limited()
    {
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Config, address)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(Config, address)).ShouldBeRateLimitedAsync();

        for (var i = 0; i < 3 * Limit; i++)
        {
            (await GetAsync("/health/live", address)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await GetAsync("/health/ready", address)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Past_the_auth_failure_limit_the_address_gets_429_even_with_a_valid_credential()
    {
        var address = NewAddress();
        (await GetAsync(Me, address)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsync(Me, address, token: "not-a-jwt")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        for (var i = 2; i < Limit; i++)
            (await GetAsync(Me, address, apiKey: "gh_" + new string('x', 43))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await (await GetAsync(Me, address, token: "not-a-jwt")).ShouldBeRateLimitedAsync();
        await (await GetAsync(Me, address, NewToken())).ShouldBeRateLimitedAsync();
        // Anonymous routes are not what a credential guesser is after: they keep their own budget.
        (await GetAsync(Config, address)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Auth_failures_from_one_address_do_not_block_another()
    {
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await GetAsync(Me, address, token: "not-a-jwt")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await GetAsync(Me, address, token: "not-a-jwt")).ShouldBeRateLimitedAsync();

        (await GetAsync(Me, NewAddress(), NewToken())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(Me, NewAddress(), token: "not-a-jwt")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_client_cannot_choose_its_address_by_prepending_to_X_Forwarded_For()
    {
        // The proxy appends the address it saw; what the client sent stands to its left.
        var address = NewAddress();
        for (var i = 0; i < Limit; i++)
            (await SendAsync(HttpMethod.Get, Config, address, forwardedFor: $"{NewAddress()}, {address}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await SendAsync(HttpMethod.Get, Config, address, forwardedFor: $"{NewAddress()}, {address}")).ShouldBeRateLimitedAsync();
    }
}

/// <summary>Configurations that need a process of their own: client address without forwarded headers, limits off, refused settings.</summary>
public sealed class RateLimitConfigurationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string Config = "/api/v1/auth/config";
    private const string Me = "/api/v1/auth/me";

    private Dictionary<string, string?> Environment(int anonymous = 2)
    {
        var env = TestApp.Environment(fixture.App.Db, fixture.App.Auth0, null);
        env["RATE_LIMIT_PER_MINUTE"] = "0";
        env["ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = $"{anonymous}";
        env["AUTH_FAILURE_LIMIT_PER_MINUTE"] = "0";
        return env;
    }

    /// <summary>A client whose connections come from <paramref name="local"/> (any 127.x.y.z is loopback on Linux).</summary>
    private static HttpClient From(ApiProcess api, string local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(local), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = new Uri(api.BaseUrl) };

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Without_forwarded_headers_the_TCP_peer_is_the_client_and_X_Forwarded_For_is_ignored()
    {
        var env = Environment();
        env["FORWARDED_HEADERS"] = "false";
        await using var api = await ApiProcess.StartAsync(env);
        using var peer = From(api, "127.0.0.1");
        using var otherPeer = From(api, "127.0.0.2");

        (await GetAsync(peer, Config, "203.0.113.1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(peer, Config, "203.0.113.2")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(peer, Config, "203.0.113.3")).ShouldBeRateLimitedAsync();

        (await GetAsync(otherPeer, Config)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_peer_that_is_not_a_known_proxy_is_ignored()
    {
        var env = Environment();
        env["FORWARDED_HEADERS"] = "true";
        env["KNOWN_PROXIES"] = "192.0.2.10, 10.0.0.0/8";
        await using var api = await ApiProcess.StartAsync(env);
        using var peer = From(api, "127.0.0.1");

        (await GetAsync(peer, Config, "203.0.113.1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(peer, Config, "203.0.113.2")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(peer, Config, "203.0.113.3")).ShouldBeRateLimitedAsync();
    }

    [Fact]
    public async Task Known_proxies_may_be_listed_as_addresses_and_networks()
    {
        var env = Environment();
        env["FORWARDED_HEADERS"] = "true";
        env["KNOWN_PROXIES"] = "192.0.2.10, 127.0.0.0/8";
        await using var api = await ApiProcess.StartAsync(env);
        using var peer = From(api, "127.0.0.1");

        (await GetAsync(peer, Config, "203.0.113.1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(peer, Config, "203.0.113.1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await GetAsync(peer, Config, "203.0.113.1")).ShouldBeRateLimitedAsync();
        (await GetAsync(peer, Config, "203.0.113.2")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Zero_turns_every_limit_off()
    {
        // More than each default allows (1200, 600, 60), so that neither a default nor a zero budget passes this test.
        var env = Environment(anonymous: 0);
        await using var api = await ApiProcess.StartAsync(env);
        var token = fixture.App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Unlimited"));

        async Task<HttpStatusCode[]> ManyAsync(int count, Func<HttpRequestMessage> request)
        {
            var statuses = new List<HttpStatusCode>();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
            {
                using var response = await api.Http.SendAsync(request(), ct);
                lock (statuses) statuses.Add(response.StatusCode);
            });
            return statuses.Distinct().ToArray();
        }

        (await ManyAsync(61, () => new HttpRequestMessage(HttpMethod.Get, Me) { Headers = { { "X-API-Key", "gh_nope" } } }))
            .ShouldBe([HttpStatusCode.Unauthorized]);
        (await ManyAsync(601, () => new HttpRequestMessage(HttpMethod.Get, Config))).ShouldBe([HttpStatusCode.OK]);
        (await ManyAsync(1201, () => new HttpRequestMessage(HttpMethod.Get, Me) { Headers = { Authorization = new("Bearer", token) } }))
            .ShouldBe([HttpStatusCode.OK]);
    }

    [Theory]
    [InlineData("RATE_LIMIT_PER_MINUTE", "lots")]
    [InlineData("ANONYMOUS_RATE_LIMIT_PER_MINUTE", "-1")]
    [InlineData("AUTH_FAILURE_LIMIT_PER_MINUTE", "1.5")]
    [InlineData("FORWARDED_HEADERS", "yes")]
    [InlineData("KNOWN_PROXIES", "10.0.0.1, proxy.internal")]
    [InlineData("KNOWN_PROXIES", "10.0.0.0/33")]
    public async Task A_malformed_setting_stops_start_up_naming_the_variable(string variable, string value)
    {
        var env = Environment();
        env[variable] = value;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain($"Gatehouse cannot start: {variable}");
        output.ShouldNotContain(value);
    }
}

internal static class RateLimitAssertions
{
    public static async Task ShouldBeRateLimitedAsync(this HttpResponseMessage response)
    {
        await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        response.Headers.TryGetValues("Retry-After", out var values).ShouldBeTrue();
        var seconds = int.Parse(values!.Single(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
        seconds.ShouldBeInRange(1, 60);
    }
}

/// <summary>The 429 writer every limit goes through, in the shared app: header, body and the counter behind gatehouse_rate_limited_total.</summary>
public sealed class RateLimitRejectionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_rejection_answers_429_with_the_leases_Retry_After_and_counts_it_by_limit()
    {
        var measurements = new List<(long Value, object? Limit)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Gatehouse" && instrument.Name == "gatehouse.rate_limited")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (measurements) measurements.Add((value, tags.ToArray().Single(t => t.Key == "limit").Value));
        });
        listener.Start();

        using var limiter = new System.Threading.RateLimiting.FixedWindowRateLimiter(new()
            { PermitLimit = 1, Window = TimeSpan.FromSeconds(42), QueueLimit = 0, AutoReplenishment = false });
        limiter.AttemptAcquire().Dispose();
        using var lease = limiter.AttemptAcquire();
        lease.IsAcquired.ShouldBeFalse();
        using var scope = fixture.App.Factory.Services.CreateScope();
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Response.Body = new MemoryStream();

        await scope.ServiceProvider.GetRequiredService<Gatehouse.Infrastructure.Web.RateLimitRejections>()
            .RejectAsync(context, lease, "credential");

        context.Response.StatusCode.ShouldBe(429);
        context.Response.Headers.RetryAfter.ToString().ShouldBe("42");
        context.Response.Body.Position = 0;
        var problem = JsonDocument.Parse(context.Response.Body).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(429);
        problem.GetProperty("detail").GetString()!.ShouldContain("Retry after 42 seconds");
        lock (measurements) measurements.ShouldContain((1L, (object?)"credential"));
    }
}
