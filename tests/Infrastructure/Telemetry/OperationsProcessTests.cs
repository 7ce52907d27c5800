using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DevIdp.Tokens;
using Gatehouse.Infrastructure.Auth.ApiKeys;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Telemetry;

/// <summary>
/// One Gatehouse process as deployed (ASPNETCORE_ENVIRONMENT=Staging, so JSON logs by default) with
/// METRICS_PORT set, after traffic that touches every Gatehouse instrument once.
/// </summary>
public sealed class OperationsProcess : IAsyncLifetime
{
    public ApiProcess Api { get; private set; } = null!;
    public int MetricsPort { get; } = ApiProcess.FreePort();

    public async Task InitializeAsync()
    {
        var app = await TestApp.GetAsync();
        var env = TestApp.Environment(app.Db, app.Auth0, null);
        env["ASPNETCORE_ENVIRONMENT"] = "Staging";
        env["METRICS_PORT"] = MetricsPort.ToString();
        env["AUTH_FAILURE_LIMIT_PER_MINUTE"] = "2";
        Api = await ApiProcess.StartAsync(env);

        // A first login (provisioning, token and caller caches), a refused token, an unknown API key, then a 429.
        var user = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        user.Headers.Authorization = new("Bearer", app.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Metrics User")));
        (await Api.Http.SendAsync(user)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var rejected = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        rejected.Headers.Authorization = new("Bearer", "not-a-token");
        (await Api.Http.SendAsync(rejected)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var key = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        key.Headers.Add(GatehouseAuthenticationHandler.ApiKeyHeader, ApiKeyAuthenticator.NewKey().Key);
        (await Api.Http.SendAsync(key)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.Http.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class OperationsProcessTests(OperationsProcess process) : IClassFixture<OperationsProcess>
{
    private static readonly string[] ContractNames =
    [
        "gatehouse_token_validations_total{", "gatehouse_jwks_fetches_total{", "gatehouse_cache_lookups_total{",
        "gatehouse_users_provisioned_total{", "gatehouse_api_key_authentications_total{", "gatehouse_rate_limited_total{",
        "http_server_request_duration_seconds_bucket{", "dotnet_gc_collections_total{",
    ];

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{process.MetricsPort}") };
        var response = await http.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A sample line of <paramref name="name"/> with each label, in whatever order the exporter writes them.</summary>
    private static void Sample(string text, string name, params string[] labels) =>
        text.Split('\n').ShouldContain(line => line.StartsWith(name + "{") && labels.All(line.Contains), $"{name} with {string.Join(", ", labels)}");

    [Fact]
    public async Task Metrics_port_serves_the_contracts_metrics_with_their_labels()
    {
        var text = await ScrapeAsync();

        foreach (var name in ContractNames)
            text.ShouldContain(name);
        Sample(text, "gatehouse_token_validations_total", "provider=\"unknown\"", "outcome=\"invalid\"");
        Sample(text, "gatehouse_token_validations_total", "provider=\"auth0\"", "outcome=\"valid\"");
        Sample(text, "gatehouse_users_provisioned_total", "provider=\"auth0\"");
        Sample(text, "gatehouse_api_key_authentications_total", "outcome=\"invalid\"");
        Sample(text, "gatehouse_rate_limited_total", "limit=\"auth_failures\"");
        Sample(text, "gatehouse_jwks_fetches_total", "provider=\"auth0\"", "outcome=\"success\"");
        Sample(text, "gatehouse_cache_lookups_total", "cache=\"token\"", "result=\"miss\"");
        // The per-request meters left out for the steady path's sake (TelemetrySetup.AspNetCoreMeters).
        text.ShouldNotContain("aspnetcore_memory_pool_");
        text.ShouldNotContain("aspnetcore_routing_");
        text.ShouldNotContain("aspnetcore_authentication_");
    }

    [Fact]
    public async Task The_api_port_has_no_metrics_and_the_metrics_port_serves_nothing_else()
    {
        (await process.Api.Http.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var forged = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        forged.Headers.Host = $"127.0.0.1:{process.MetricsPort}";
        (await process.Api.Http.SendAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{process.MetricsPort}") };
        (await http.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/api/v1/auth/config")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Logs_are_json_lines_and_a_requests_line_carries_its_trace_id()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!process.Api.Output.Contains("Bearer token rejected") && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var lines = process.Api.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldNotBeEmpty();
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var rejection = entries.Single(e => e.GetProperty("Message").GetString()!.StartsWith("Bearer token rejected: malformed token"));
        rejection.GetProperty("Scopes").EnumerateArray()
            .Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out var id)
                && System.Text.RegularExpressions.Regex.IsMatch(id.GetString()!, "^[0-9a-f]{32}$") && id.GetString() != new string('0', 32))
            .ShouldBeTrue(rejection.ToString());
        process.Api.Output.ShouldNotContain("not-a-token");
    }

    [Fact]
    public async Task The_line_of_a_refused_token_is_small_and_repeats_nothing()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!process.Api.Output.Contains("Bearer token rejected") && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var line = process.Api.Output.Split('\n', StringSplitOptions.TrimEntries)
            .Single(l => l.Contains("Bearer token rejected: malformed token"));
        var entry = JsonDocument.Parse(line).RootElement;
        // Its reason as a field, its trace and span ids, and none of the request's or connection's scopes.
        entry.GetProperty("State").GetProperty("Reason").GetString().ShouldBe("malformed token");
        entry.GetProperty("State").TryGetProperty("Message", out _).ShouldBeFalse(line);
        entry.GetProperty("State").TryGetProperty("{OriginalFormat}", out _).ShouldBeFalse(line);
        var scope = entry.GetProperty("Scopes").EnumerateArray().ShouldHaveSingleItem();
        scope.EnumerateObject().Select(p => p.Name).ShouldBe(["TraceId", "SpanId"]);
        line.ShouldNotContain("RequestPath");
        line.ShouldNotContain("ConnectionId");
        line.Length.ShouldBeLessThan(500, line);
    }
}

/// <summary>OTLP export is on exactly when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
public sealed class OtlpExportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_process_posts_its_telemetry_there()
    {
        using var collector = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var env = TestApp.Environment(fixture.App.Db, fixture.App.Auth0, null);
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)collector.LocalEndpoint).Port}";
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        env["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        await using var api = await ApiProcess.StartAsync(env);

        // The first bytes of the first export are enough: an HTTP POST to one of OTLP's signal paths.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var connection = await collector.AcceptTcpClientAsync(timeout.Token);
        var buffer = new byte[64];
        var read = await connection.GetStream().ReadAsync(buffer, timeout.Token);
        System.Text.Encoding.ASCII.GetString(buffer, 0, read).ShouldMatch(@"^POST /v1/(traces|metrics|logs) HTTP/1\.1");
    }
}

/// <summary>Bad telemetry settings stop start-up naming the variable.</summary>
public sealed class TelemetryStartupTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("METRICS_PORT", "70000")]
    [InlineData("METRICS_PORT", "nine")]
    [InlineData("LOG_FORMAT", "xml")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_TRACES_SAMPLER", "sometimes")]
    public async Task An_invalid_setting_stops_start_up_naming_the_variable(string variable, string value)
    {
        var env = TestApp.Environment(fixture.App.Db, fixture.App.Auth0, null);
        env[variable] = value;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain($"Gatehouse cannot start: {variable}");
        output.ShouldNotContain(value);
    }
}
