using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
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
/// The contract's three rate limits on ASP.NET Core's rate limiter (System.Threading.RateLimiting's
/// partitioned fixed one-minute windows, no queueing), counted per instance:
/// per credential on protected routes and per client address on anonymous ones (<see cref="RequestLimit"/>,
/// after authentication so that the verified credential names the partition), and failed
/// authentications per client address (<see cref="AuthFailureLimit"/>, consulted before
/// authentication, so that an address past it costs no token check and no key lookup).
/// </summary>
public static class RateLimits
{
    public const string Credential = "credential";
    public const string AnonymousLimit = "anonymous";
    public const string AuthFailures = "auth_failures";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A partition: which limit, and whose budget. A Bearer token's is its provider and subject, an
    /// API key's the key's id (never the secret), system mode's one for all, an address's the address.
    /// Built from what authentication already verified, so a request hashes and allocates nothing for it.
    /// </summary>
    private readonly record struct Partition(string Limit, AuthMethod Method, string Value, Guid Key = default, IPAddress? Address = null);

    private static readonly Partition Unlimited = new("none", AuthMethod.System, "");

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var settings = RateLimitSettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        // One options factory per limit, made once: a per-request lambda would allocate a closure per request.
        Func<Partition, FixedWindowRateLimiterOptions> credentialOptions = _ => Options(settings.PerCredential);
        Func<Partition, FixedWindowRateLimiterOptions> anonymousOptions = _ => Options(settings.Anonymous);
        builder.Services.AddSingleton<RateLimitRejections>();
        builder.Services.AddSingleton<AuthFailureLimit>();
        builder.Services.AddSingleton(services => new RequestLimit(
            settings.PerCredential > 0 || settings.Anonymous > 0
                ? PartitionedRateLimiter.Create<HttpContext, Partition>(context => PartitionFor(context, settings, credentialOptions, anonymousOptions))
                : null,
            services.GetRequiredService<RateLimitRejections>()));
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
        var limit = app.Services.GetRequiredService<RequestLimit>();
        if (limit.Enabled)
            app.Use(limit.Invoke);
        return app;
    }

    /// <summary>A route that needs a credential: an endpoint not marked anonymous.</summary>
    public static bool IsProtected(HttpContext context) =>
        context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;

    private static RateLimitPartition<Partition> PartitionFor(HttpContext context, RateLimitSettings settings,
        Func<Partition, FixedWindowRateLimiterOptions> credentialOptions, Func<Partition, FixedWindowRateLimiterOptions> anonymousOptions)
    {
        if (context.Request.Path.StartsWithSegments("/health"))
            return RateLimitPartition.GetNoLimiter(Unlimited);
        if (!IsProtected(context))
            return settings.Anonymous == 0
                ? RateLimitPartition.GetNoLimiter(Unlimited)
                : RateLimitPartition.GetFixedWindowLimiter(new Partition(AnonymousLimit, AuthMethod.System, "", Address: ClientAddress.Key(context)), anonymousOptions);
        // Without a verified credential authorization answers 401, which the auth-failure limit counts.
        if (settings.PerCredential == 0 || context.Features.Get<CallerIdentity>() is not { } identity)
            return RateLimitPartition.GetNoLimiter(Unlimited);
        var partition = identity.Method switch
        {
            AuthMethod.ApiKey => new Partition(Credential, identity.Method, "", identity.ApiKeyId ?? throw new InvalidOperationException("an API-key identity without its key id")),
            AuthMethod.System => new Partition(Credential, identity.Method, ""),
            _ => new Partition(Credential, identity.Method, identity.Subject ?? ""),
        };
        return RateLimitPartition.GetFixedWindowLimiter(partition, credentialOptions);
    }

    internal static FixedWindowRateLimiterOptions Options(int limit) =>
        new() { PermitLimit = limit, Window = Window, QueueLimit = 0, AutoReplenishment = false };
}

/// <summary>
/// The per-credential and anonymous limits: one permit per request from the partitioned limiter,
/// asked directly rather than through ASP.NET Core's rate-limiting middleware, which adds to what a
/// fixed window needs (a permit taken is spent; its lease holds nothing) an endpoint limiter, a lease
/// held across the request and its own measurements, per request.
/// </summary>
public sealed class RequestLimit(PartitionedRateLimiter<HttpContext>? limiter, RateLimitRejections rejections) : IDisposable
{
    public bool Enabled => limiter is not null;

    public Task Invoke(HttpContext context, RequestDelegate next)
    {
        if (limiter is null)
            return next(context);
        using var lease = limiter.AttemptAcquire(context);
        return lease.IsAcquired
            ? next(context)
            : rejections.RejectAsync(context, lease, RateLimits.IsProtected(context) ? RateLimits.Credential : RateLimits.AnonymousLimit);
    }

    public void Dispose() => limiter?.Dispose();
}

/// <summary>
/// Failed authentications (401) per client address in fixed one-minute windows. Runs around
/// authentication and everything after it: an address with no failures left gets 429 on protected
/// routes, whatever credential it sends, until its window ends; every 401 answered spends one.
/// </summary>
public sealed class AuthFailureLimit : IDisposable
{
    private readonly RateLimitRejections _rejections;
    private readonly PartitionedRateLimiter<IPAddress>? _failures;

    public AuthFailureLimit(RateLimitSettings settings, RateLimitRejections rejections)
    {
        _rejections = rejections;
        if (settings.AuthFailures == 0)
            return;
        // Made once: a lambda built inside the partitioner would allocate a closure per request.
        Func<IPAddress, FixedWindowRateLimiterOptions> options = _ => RateLimits.Options(settings.AuthFailures);
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(address, options));
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
    /// <summary>No address (a test server, a Unix socket): one budget for all of them.</summary>
    private static readonly IPAddress Unknown = IPAddress.None;

    /// <summary>
    /// IPv4 as is (also when mapped into IPv6); IPv6 by its /64, the block one subscriber
    /// usually holds, so that rotating through it buys no fresh budget. The key is an IPAddress
    /// (it compares by value), so nothing is formatted per request: a plain IPv4 connection's own
    /// address object is the key, and only a mapped or IPv6 one is copied.
    /// </summary>
    public static IPAddress Key(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return Unknown;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
