using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Gatehouse.Infrastructure.Auth.ApiKeys;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Gatehouse.Infrastructure.Web;

/// <summary>The rate limits and the client-address rule, read once from the environment. A limit of 0 is off.</summary>
public sealed record RateLimitSettings(
    int PerCredential,
    int Anonymous,
    int AuthFailures,
    bool ForwardedHeaders,
    IReadOnlyList<IPNetwork> KnownProxies)
{
    /// <summary>ASP.NET Core's own default: loopback only.</summary>
    private static readonly IPNetwork[] Loopback =
        [new(IPAddress.Parse("127.0.0.0"), 8), new(IPAddress.IPv6Loopback, 128)];

    public static RateLimitSettings Read(IConfiguration config) => new(
        Limit(config, "RATE_LIMIT_PER_MINUTE", 1200),
        Limit(config, "ANONYMOUS_RATE_LIMIT_PER_MINUTE", 600),
        Limit(config, "AUTH_FAILURE_LIMIT_PER_MINUTE", 60),
        Bool(config, "FORWARDED_HEADERS"),
        Proxies(config, "KNOWN_PROXIES"));

    private static int Limit(IConfiguration config, string variable, int fallback)
    {
        var text = config[variable];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
            ? limit
            : throw new StartupException($"{variable} must be a whole number of requests per minute (0 turns the limit off).");
    }

    private static bool Bool(IConfiguration config, string variable)
    {
        var text = config[variable];
        if (string.IsNullOrWhiteSpace(text))
            return false;
        return bool.TryParse(text.Trim(), out var value) ? value : throw new StartupException($"{variable} must be true or false.");
    }

    private static IReadOnlyList<IPNetwork> Proxies(IConfiguration config, string variable)
    {
        var entries = (config[variable] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
            return Loopback;
        var networks = new List<IPNetwork>();
        for (var i = 0; i < entries.Length; i++)
        {
            // The entry is not echoed: the message names the variable and the position.
            if (!TryProxy(entries[i], out var network))
                throw new StartupException(
                    $"{variable} entry {i + 1} is neither an IP address nor a CIDR network such as 10.0.0.0/8 (comma-separated list).");
            networks.Add(network);
        }
        return networks;
    }

    private static bool TryProxy(string entry, out IPNetwork network)
    {
        if (entry.Contains('/'))
            return IPNetwork.TryParse(entry, out network);
        // IPAddress.TryParse also takes "10" or "10.1" as IPv4: ask for four parts, or IPv6.
        if (IPAddress.TryParse(entry, out var address) && (entry.Contains(':') || entry.Count(c => c == '.') == 3))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        network = default;
        return false;
    }
}

/// <summary>
/// The contract's three rate limits on ASP.NET Core's rate limiter (fixed one-minute windows, no
/// queueing), counted per instance:
/// per credential on protected routes and per client address on anonymous ones (the rate-limiting
/// middleware, after authentication so that the verified credential names the partition), and
/// failed authentications per client address (a limiter consulted before authentication, so that
/// an address past it costs no token check and no key lookup).
/// </summary>
public static class RateLimits
{
    public const string Credential = "credential";
    public const string AnonymousLimit = "anonymous";
    public const string AuthFailures = "auth_failures";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A partition: which limit, and whose budget. A Bearer token's is its provider and subject, an
    /// API key's its SHA-256 (never the secret), system mode's one for all, an address's the address.
    /// </summary>
    private readonly record struct Partition(string Limit, AuthMethod Method, string Value);

    private static readonly Partition Unlimited = new("none", AuthMethod.System, "");

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var settings = RateLimitSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<RateLimitRejections>();
        builder.Services.AddSingleton<AuthFailureLimit>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, Partition>(context => PartitionFor(context, settings));
            o.OnRejected = (rejected, _) => new ValueTask(rejected.HttpContext.RequestServices.GetRequiredService<RateLimitRejections>()
                .RejectAsync(rejected.HttpContext, rejected.Lease, IsProtected(rejected.HttpContext) ? Credential : AnonymousLimit));
        });
        return builder;
    }

    /// <summary>First in the pipeline: with <c>FORWARDED_HEADERS=true</c>, the client address comes from X-Forwarded-For set by a known proxy.</summary>
    public static WebApplication UseForwardedClientAddress(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<RateLimitSettings>();
        if (!settings.ForwardedHeaders)
            return app;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            // Walk back through every known proxy and stop at the first address that is not one:
            // what a client writes to the left of its proxy's entry is never believed.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in settings.KnownProxies)
            options.KnownIPNetworks.Add(network);
        app.UseForwardedHeaders(options);
        return app;
    }

    /// <summary>Before authentication: an address past its failed-authentication budget gets 429 on protected routes.</summary>
    public static WebApplication UseAuthFailureLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<AuthFailureLimit>();
        if (limit.Enabled)
            app.Use(limit.InvokeAsync);
        return app;
    }

    /// <summary>After authentication, before the auth-context pre-processor does any database work.</summary>
    public static WebApplication UseRateLimits(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<RateLimitSettings>();
        if (settings.PerCredential > 0 || settings.Anonymous > 0)
            app.UseRateLimiter();
        return app;
    }

    /// <summary>A route that needs a credential: an endpoint not marked anonymous.</summary>
    public static bool IsProtected(HttpContext context) =>
        context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;

    private static RateLimitPartition<Partition> PartitionFor(HttpContext context, RateLimitSettings settings)
    {
        if (context.Request.Path.StartsWithSegments("/health"))
            return RateLimitPartition.GetNoLimiter(Unlimited);
        if (!IsProtected(context))
            return settings.Anonymous == 0
                ? RateLimitPartition.GetNoLimiter(Unlimited)
                : FixedWindow(new Partition(AnonymousLimit, AuthMethod.System, ClientAddress.Key(context)), settings.Anonymous);
        // Without a verified credential authorization answers 401, which the auth-failure limit counts.
        if (settings.PerCredential == 0 || context.Features.Get<CallerIdentity>() is not { } identity)
            return RateLimitPartition.GetNoLimiter(Unlimited);
        var value = identity.Method switch
        {
            AuthMethod.ApiKey => Convert.ToHexString(ApiKeyAuthenticator.Hash(context.Request.Headers[GatehouseAuthenticationHandler.ApiKeyHeader].ToString())),
            AuthMethod.System => "",
            _ => identity.Subject ?? "",
        };
        return FixedWindow(new Partition(Credential, identity.Method, value), settings.PerCredential);
    }

    private static RateLimitPartition<Partition> FixedWindow(Partition partition, int limit) =>
        RateLimitPartition.GetFixedWindowLimiter(partition, _ => Options(limit));

    internal static FixedWindowRateLimiterOptions Options(int limit) =>
        new() { PermitLimit = limit, Window = Window, QueueLimit = 0, AutoReplenishment = false };
}

/// <summary>
/// Failed authentications (401) per client address in fixed one-minute windows. Runs around
/// authentication and everything after it: an address with no failures left gets 429 on protected
/// routes, whatever credential it sends, until its window ends; every 401 answered spends one.
/// </summary>
public sealed class AuthFailureLimit : IDisposable
{
    private readonly RateLimitRejections _rejections;
    private readonly PartitionedRateLimiter<string>? _failures;

    public AuthFailureLimit(RateLimitSettings settings, RateLimitRejections rejections)
    {
        _rejections = rejections;
        if (settings.AuthFailures > 0)
            _failures = PartitionedRateLimiter.Create<string, string>(address =>
                RateLimitPartition.GetFixedWindowLimiter(address, _ => RateLimits.Options(settings.AuthFailures)));
    }

    public bool Enabled => _failures is not null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_failures is null || !RateLimits.IsProtected(context))
        {
            await next(context);
            return;
        }

        var address = ClientAddress.Key(context);
        // A permit count of 0 asks whether the window has failures left without spending one.
        using (var check = _failures.AttemptAcquire(address, 0))
        {
            if (!check.IsAcquired)
            {
                await _rejections.RejectAsync(context, check, RateLimits.AuthFailures);
                return;
            }
        }

        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
            _failures.AttemptAcquire(address, 1).Dispose();
    }

    public void Dispose() => _failures?.Dispose();
}

/// <summary>The 429 of every limit: <c>Retry-After</c> in whole seconds, a problem body, and the rejection counted.</summary>
public sealed class RateLimitRejections
{
    private readonly GatehouseMetrics _metrics;
    private readonly RateLimitSettings _settings;

    public RateLimitRejections(GatehouseMetrics metrics, RateLimitSettings settings)
    {
        _metrics = metrics;
        _settings = settings;
    }

    public Task RejectAsync(HttpContext context, RateLimitLease lease, string limit)
    {
        _metrics.RateLimited(limit);
        // A fixed window's lease says the window's length: an upper bound of the wait, never too short.
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var detail = limit switch
        {
            RateLimits.Credential => $"This credential sent more than {_settings.PerCredential} requests in a minute.",
            RateLimits.AnonymousLimit => $"This address sent more than {_settings.Anonymous} requests in a minute to endpoints that need no credential.",
            _ => $"This address had more than {_settings.AuthFailures} failed authentications in a minute.",
        };
        return context.WriteProblemAsync(StatusCodes.Status429TooManyRequests, $"{detail} Retry after {seconds} seconds.");
    }
}

/// <summary>The client address a per-address limit counts against.</summary>
public static class ClientAddress
{
    /// <summary>
    /// IPv4 as is (also when mapped into IPv6); IPv6 by its /64, the block one subscriber
    /// usually holds, so that rotating through it buys no fresh budget.
    /// </summary>
    public static string Key(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
