using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevIdp.Tokens;
using Gatehouse.Infrastructure.Auth.ApiKeys;
using Gatehouse.Infrastructure.Auth.Jwks;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Telemetry;
using Gatehouse.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Tests.Infrastructure.Telemetry;

/// <summary>
/// Every measurement on the "Gatehouse" meter, with the trace of the request that made it, so that a
/// test sees only its own request's measurements although the shared app serves others meanwhile.
/// </summary>
internal sealed class GatehouseMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, ActivityTraceId? Trace, object? Scope, Dictionary<string, object?> Tags)> _seen = [];

    public GatehouseMeasurements()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatehouseMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var copy = Copy(tags);
            lock (_seen) _seen.Add((instrument.Name, Activity.Current?.TraceId, instrument.Meter.Scope, copy));
        });
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/> made by one request, each as "key=value,…" in key order.</summary>
    public List<string> Of(string instrument, ActivityTraceId trace)
    {
        lock (_seen) return _seen.Where(m => m.Instrument == instrument && m.Trace == trace).Select(m => Format(m.Tags)).ToList();
    }

    /// <summary>The measurements of <paramref name="instrument"/> on the meter that <paramref name="scope"/> created.</summary>
    public List<string> Of(string instrument, IMeterFactory scope)
    {
        lock (_seen) return _seen.Where(m => m.Instrument == instrument && ReferenceEquals(m.Scope, scope)).Select(m => Format(m.Tags)).ToList();
    }

    /// <summary>The totals an observable instrument of the meter <paramref name="scope"/> created reports now, by "key=value,…".</summary>
    public static Dictionary<string, long> Totals(string instrument, IMeterFactory scope)
    {
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == instrument && ReferenceEquals(i.Meter.Scope, scope)) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => totals[Format(Copy(tags))] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return totals;
    }

    private static Dictionary<string, object?> Copy(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        return copy;
    }

    private static string Format(Dictionary<string, object?> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    public void Dispose() => _listener.Dispose();
}

/// <summary>A request the test can find again: it carries a sampled W3C traceparent with a fresh trace id.</summary>
internal static class Traced
{
    public static ActivityTraceId Trace(this HttpClient client)
    {
        var trace = ActivityTraceId.CreateRandom();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return trace;
    }
}

/// <summary>
/// An app of its own for the observable counters (token validations, cache lookups, API-key
/// authentications): they report totals, not one measurement per request, so a test compares the
/// totals before and after its requests, and only this class's tests send requests here.
/// </summary>
public sealed class CountingApp : IAsyncLifetime
{
    private WebApplicationFactory<Program> _factory = null!;
    public TestApp Shared { get; private set; } = null!;
    public IMeterFactory Meters => _factory.Services.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        Shared = await TestApp.GetAsync(); // its environment is this app's too
        _factory = new WebApplicationFactory<Program>();
        _ = _factory.Server;
    }

    public HttpClient Client(string? token = null, string? apiKey = null) => _factory.CreateClient().WithCredentials(token, apiKey);

    /// <summary>What <paramref name="instrument"/> counted while <paramref name="requests"/> ran, as "key=value,…=N" in key order.</summary>
    public async Task<List<string>> CountedAsync(string instrument, Func<Task> requests)
    {
        var before = GatehouseMeasurements.Totals(instrument, Meters);
        await requests();
        var after = GatehouseMeasurements.Totals(instrument, Meters);
        return after.Select(t => (t.Key, Added: t.Value - before.GetValueOrDefault(t.Key)))
            .Where(t => t.Added != 0).Select(t => $"{t.Key}={t.Added}").Order(StringComparer.Ordinal).ToList();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();
}

/// <summary>The observable counters, read as a reader collects them (../shared/API.md, Operations).</summary>
public sealed class GatehouseCountsTests(CountingApp app) : IClassFixture<CountingApp>
{
    [Fact]
    public async Task A_valid_token_counts_a_valid_validation_and_its_second_request_a_token_cache_hit()
    {
        var client = app.Client(app.Shared.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Counted User")));
        async Task Request() => (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Request();

        (await app.CountedAsync("gatehouse.token_validations", Request)).ShouldBe(["outcome=valid,provider=auth0=1"]);
        (await app.CountedAsync("gatehouse.cache_lookups", Request)).ShouldContain("cache=token,result=hit=1");
    }

    [Fact]
    public async Task An_invalid_token_counts_an_invalid_validation_for_the_provider_its_issuer_names()
    {
        var claims = app.Shared.Auth0.Claims(Unique.Subject());
        claims["aud"] = "https://not-this-api.example.com/";
        var client = app.Client(TokenMinter.Mint(app.Shared.Auth0.Key, claims));

        (await app.CountedAsync("gatehouse.token_validations", async () =>
                (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized)))
            .ShouldBe(["outcome=invalid,provider=auth0=1"]);
    }

    [Fact]
    public async Task A_token_from_an_unknown_issuer_counts_as_provider_unknown()
    {
        var claims = app.Shared.Auth0.Claims(Unique.Subject());
        claims["iss"] = "https://attacker.example.com/";
        var client = app.Client(TokenMinter.Mint(app.Shared.Auth0.Key, claims));

        (await app.CountedAsync("gatehouse.token_validations", async () =>
                (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized)))
            .ShouldBe(["outcome=invalid,provider=unknown=1"]);
    }

    [Fact]
    public async Task An_api_key_counts_a_valid_authentication_and_an_unknown_key_an_invalid_one()
    {
        var user = await TestUser.CreateAsync(app.Shared);
        var created = await (await user.PostAsync("/api/v1/api-keys", new { name = "metrics", expires_in_days = 1 })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var good = app.Client(apiKey: created.GetProperty("key").GetString()!);
        var bad = app.Client(apiKey: ApiKeyAuthenticator.NewKey().Key);

        (await app.CountedAsync("gatehouse.api_key_authentications", async () =>
                (await good.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK)))
            .ShouldBe(["outcome=valid=1"]);
        (await app.CountedAsync("gatehouse.api_key_authentications", async () =>
                (await bad.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized)))
            .ShouldBe(["outcome=invalid=1"]);
        (await app.CountedAsync("gatehouse.token_validations", async () =>
                (await good.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK)))
            .ShouldBeEmpty();
    }
}

/// <summary>The contract's instruments that count rare events one measurement each, made by the shared app.</summary>
public sealed class GatehouseMetricsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task A_first_login_counts_one_provisioned_user_and_the_next_request_none()
    {
        using var measurements = new GatehouseMeasurements();
        var client = App.Auth0Client(out _);
        var first = client.Trace();
        (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        client.DefaultRequestHeaders.Remove("traceparent");
        var second = client.Trace();
        (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        measurements.Of("gatehouse.users_provisioned", first).ShouldBe(["provider=auth0"]);
        measurements.Of("gatehouse.users_provisioned", second).ShouldBeEmpty();
    }

    private sealed class OneAnswerFetcher(bool fail, SigningKey key) : JwksFetcher
    {
        public override Task<Result> FetchAsync(Uri uri, CancellationToken ct) => Task.FromResult(fail
            ? new Result(null, null, "HTTP 503")
            : new Result(JwksDocument.Parse(TokenMinter.Jwks([key])), null, null));
    }

    [Fact]
    public async Task A_jwks_fetch_is_counted_by_provider_and_outcome()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var metrics = new GatehouseMetrics(meters);
        var provider = new ProviderSettings(ProviderKind.Authentik, "https://idp.example.com/application/o/app/", "client", "client",
            new Uri("https://idp.example.com/application/o/app/jwks/"), ["RS256"], "", "", "idp.example.com");
        using var measurements = new GatehouseMeasurements();

        await new JwksCache(provider, new OneAnswerFetcher(false, SigningKey.CreateRsa()), TimeProvider.System, NullLogger.Instance, metrics).RefreshAsync();
        await new JwksCache(provider, new OneAnswerFetcher(true, SigningKey.CreateRsa()), TimeProvider.System, NullLogger.Instance, metrics).RefreshAsync();

        measurements.Of("gatehouse.jwks_fetches", meters).ShouldBe([
            "outcome=success,provider=authentik",
            "outcome=failure,provider=authentik",
        ]);
    }
}

/// <summary>Spans of the shared app, recorded by its OpenTelemetry set-up into the in-memory exporter (see TestApp).</summary>
public sealed class TracingTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_request_is_a_server_span_with_its_database_commands_as_children()
    {
        var client = fixture.App.Auth0Client(out _);
        var trace = client.Trace();

        (await client.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        Activity[] spans = [];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            lock (TestApp.Spans) spans = TestApp.Spans.Where(s => s.TraceId == trace).ToArray();
            if (spans.Any(s => s.Kind == ActivityKind.Server)) break;
            await Task.Delay(50);
        }
        var server = spans.Single(s => s.Kind == ActivityKind.Server);
        server.Source.Name.ShouldBe("Microsoft.AspNetCore");
        server.GetTagItem("http.route").ShouldBe("/api/v1/auth/me");
        server.GetTagItem("http.response.status_code").ShouldBe(200);
        var commands = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        commands.ShouldNotBeEmpty();
        commands.ShouldAllBe(c => c.Kind == ActivityKind.Client && c.ParentSpanId == server.SpanId);
        commands.Select(c => (c.GetTagItem("db.statement") ?? c.GetTagItem("db.query.text"))?.ToString() ?? "")
            .ShouldContain(sql => sql.Contains("provision_user"));
    }
}

/// <summary>Which traces are recorded: Gatehouse's default, or the standard OTEL_TRACES_SAMPLER left to the SDK.</summary>
public sealed class TraceSamplerTests
{
    private static TelemetrySettings Read(params (string Key, string Value)[] values) =>
        TelemetrySettings.Read(
            new ConfigurationBuilder()
                .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });

    private static OpenTelemetry.Trace.SamplingDecision Decide(OpenTelemetry.Trace.Sampler sampler, ActivityTraceId trace, ActivityTraceFlags? parent)
    {
        var context = parent is { } flags ? new ActivityContext(trace, ActivitySpanId.CreateRandom(), flags, isRemote: true) : default;
        return sampler.ShouldSample(new OpenTelemetry.Trace.SamplingParameters(context, trace, "GET", ActivityKind.Server)).Decision;
    }

    [Fact]
    public void By_default_a_callers_decision_is_kept_and_one_in_a_hundred_new_traces_is_recorded()
    {
        var sampler = Read().Sampler.ShouldNotBeNull();
        var traces = Enumerable.Range(0, 40_000).Select(_ => ActivityTraceId.CreateRandom()).ToList();

        traces.Take(4000).ShouldAllBe(t => Decide(sampler, t, ActivityTraceFlags.Recorded) == OpenTelemetry.Trace.SamplingDecision.RecordAndSample);
        traces.Take(4000).ShouldAllBe(t => Decide(sampler, t, ActivityTraceFlags.None) == OpenTelemetry.Trace.SamplingDecision.Drop);
        var recorded = traces.Count(t => Decide(sampler, t, null) == OpenTelemetry.Trace.SamplingDecision.RecordAndSample);
        recorded.ShouldBeInRange(300, 500); // 1 % of 40 000, within five standard deviations
    }

    [Fact]
    public void OTEL_TRACES_SAMPLER_is_left_to_the_sdk_and_a_bad_one_stops_start_up()
    {
        Read(("OTEL_TRACES_SAMPLER", "always_on")).Sampler.ShouldBeNull();
        Read(("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.5")).Sampler.ShouldBeNull();
        Should.Throw<Gatehouse.Infrastructure.StartupException>(() => Read(("OTEL_TRACES_SAMPLER", "alwayson")))
            .Message.ShouldStartWith("OTEL_TRACES_SAMPLER must be");
        Should.Throw<Gatehouse.Infrastructure.StartupException>(() =>
                Read(("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "10%")))
            .Message.ShouldStartWith("OTEL_TRACES_SAMPLER_ARG must be");
    }
}
