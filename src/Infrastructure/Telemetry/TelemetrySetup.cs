using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gatehouse.Infrastructure.Telemetry;

/// <summary>LOG_FORMAT, METRICS_PORT and the OTLP switch, read once from the environment.</summary>
public sealed record TelemetrySettings(bool JsonLogs, int? MetricsPort, bool Otlp, string ServiceName, Sampler? Sampler)
{
    /// <summary>
    /// Without OTEL_TRACES_SAMPLER: a trace whose caller sampled it is always recorded, and of the
    /// traces that start here one in a hundred. A recorded span waits in the exporter's batch queue
    /// long enough to outlive the youngest GC generation; at one in ten, side by side under the bench's
    /// steady load, gen-1 collections were ten times those at one in a hundred and a request cost up to
    /// a fifth more CPU.
    /// </summary>
    public const double DefaultTraceRatio = 0.01;

    private static readonly string[] Samplers =
        ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];

    public static TelemetrySettings Read(IConfiguration config, IHostEnvironment environment)
    {
        var format = config["LOG_FORMAT"]?.Trim();
        var json = string.IsNullOrEmpty(format)
            ? !environment.IsDevelopment()
            : format.ToLowerInvariant() switch
            {
                "json" => true,
                "text" => false,
                _ => throw new StartupException("LOG_FORMAT must be json or text."),
            };

        int? port = null;
        if (config["METRICS_PORT"] is { } text && !string.IsNullOrWhiteSpace(text))
            port = int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
                ? p
                : throw new StartupException("METRICS_PORT must be a TCP port number (1-65535); leave it unset to serve no metrics.");

        var endpoint = config["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otlp = !string.IsNullOrWhiteSpace(endpoint);
        if (otlp && (!Uri.TryCreate(endpoint!.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new StartupException("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http:// or https:// URL.");

        var name = config["OTEL_SERVICE_NAME"];
        return new TelemetrySettings(json, port, otlp, string.IsNullOrWhiteSpace(name) ? "gatehouse" : name.Trim(), ReadSampler(config));
    }

    /// <summary>
    /// Gatehouse's default sampler, or null when OTEL_TRACES_SAMPLER is set: the OpenTelemetry SDK reads
    /// it (and OTEL_TRACES_SAMPLER_ARG) itself. It silently falls back to tracing everything on a value
    /// it does not know, so the values are checked here first.
    /// </summary>
    private static Sampler? ReadSampler(IConfiguration config)
    {
        var sampler = config["OTEL_TRACES_SAMPLER"]?.Trim();
        if (string.IsNullOrEmpty(sampler))
            return new ParentBasedSampler(new TraceIdRatioBasedSampler(DefaultTraceRatio));
        if (!Samplers.Contains(sampler))
            throw new StartupException($"OTEL_TRACES_SAMPLER must be one of {string.Join(", ", Samplers)}.");
        if (sampler.EndsWith("traceidratio", StringComparison.Ordinal) && config["OTEL_TRACES_SAMPLER_ARG"] is { } arg
            && !string.IsNullOrWhiteSpace(arg)
            && !(double.TryParse(arg.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1))
            throw new StartupException("OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, such as 0.1.");
        return null;
    }
}

/// <summary>
/// Logs, traces and metrics. What to trace and measure is always configured, but an OpenTelemetry
/// provider is only built when something exports (OTLP, or Prometheus on METRICS_PORT), so without
/// either a request pays nothing for it.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>
    /// ASP.NET Core's meters for serving requests: request duration and active requests, connections
    /// and unhandled exceptions (the rate limits are asked directly, so the rate-limiting middleware's
    /// meter has nothing to say; gatehouse.rate_limited counts the 429s). AddAspNetCoreInstrumentation would also
    /// subscribe to the memory pool (a measurement per buffer rented), routing, authentication and
    /// authorization (more measurements per request, where Gatehouse's own counters already count
    /// every credential check by outcome), Blazor, SignalR and Identity. Side by side under the bench's
    /// steady load, metrics alone cost a request about 8 µs more CPU with those and were within the
    /// noise without them.
    /// </summary>
    public static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics",
    ];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var settings = TelemetrySettings.Read(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<GatehouseMetrics>();

        if (settings.JsonLogs)
        {
            // One small JSON object per line, carrying the trace and span ids of the request (CompactJsonFormatter).
            builder.Logging.AddConsole(o => o.FormatterName = CompactJsonFormatter.Name)
                .AddConsoleFormatter<CompactJsonFormatter, ConsoleFormatterOptions>(o => o.IncludeScopes = true);
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        }

        var metricsPort = settings.MetricsPort;
        var sampler = settings.Sampler;
        builder.Services.ConfigureOpenTelemetryTracerProvider(t =>
        {
            if (sampler is not null)
                t.SetSampler(sampler);
        });
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t
            // Prometheus scrapes are not traced.
            .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Connection.LocalPort != metricsPort)
            // The JWKS fetches: JwksFetcher's own HttpClient is seen too.
            .AddHttpClientInstrumentation()
            .AddNpgsql());
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m
            .AddMeter(AspNetCoreMeters)
            .AddRuntimeInstrumentation()
            .AddMeter(GatehouseMetrics.MeterName));

        if (!settings.Otlp && metricsPort is null)
            return builder;
        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(settings.ServiceName));
        // The exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself (endpoint, protocol, headers).
        if (settings.Otlp)
            otel.UseOtlpExporter();
        if (metricsPort is { } port)
        {
            otel.WithMetrics(m => m.AddPrometheusExporter());
            ListenForScrapes(builder, port);
        }
        return builder;
    }

    /// <summary>
    /// Kestrel listens on METRICS_PORT besides the API's own addresses; a branch at the very start of
    /// the pipeline answers connections to that port with /metrics (anything else 404) and lets no
    /// request through to the API. The API's port never serves /metrics: the branch is chosen by the
    /// local port of the connection, not by the Host header, which a client could forge.
    /// </summary>
    private static void ListenForScrapes(WebApplicationBuilder builder, int port)
    {
        var api = ApiUrls(builder);
        foreach (var url in api)
            if (Uri.TryCreate(url.Replace("://*", "://localhost").Replace("://+", "://localhost"), UriKind.Absolute, out var uri) && uri.Port == port)
                throw new StartupException("METRICS_PORT must differ from the port the API listens on.");
        builder.WebHost.UseUrls([.. api, $"http://*:{port.ToString(CultureInfo.InvariantCulture)}"]);
        builder.Services.AddSingleton<IStartupFilter>(new ScrapeBranch(port));
    }

    /// <summary>The addresses Kestrel would take without METRICS_PORT: urls, else the HTTP(S)_PORTS, else its default.</summary>
    private static string[] ApiUrls(WebApplicationBuilder builder)
    {
        static string[] Split(string? value) => (value ?? "").Split(';', ',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        var urls = Split(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Length > 0)
            return urls;
        var ports = Split(builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey)).Select(p => $"http://*:{p}")
            .Concat(Split(builder.WebHost.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(p => $"https://*:{p}"))
            .ToArray();
        return ports.Length > 0 ? ports : ["http://localhost:5000"];
    }

    private sealed class ScrapeBranch(int port) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.MapWhen(context => context.Connection.LocalPort == port, metrics => metrics.UseOpenTelemetryPrometheusScrapingEndpoint());
            next(app);
        };
    }
}
