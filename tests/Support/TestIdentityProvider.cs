using System.Net;
using System.Text.Json.Nodes;
using DevIdp.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Tests.Support;

/// <summary>
/// A real identity provider for tests: RSA/EC keys, and a JWKS served over HTTP on 127.0.0.1 that
/// counts its fetches, can rotate keys, and can fail on demand.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public enum Mode { Serve, Fail }

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private List<SigningKey> _published;
    private int _fetches;

    public string Issuer { get; }
    public string JwksUrl { get; }
    public string Audience { get; }
    public SigningKey Key { get; private set; }
    public Mode Behaviour { get; set; } = Mode.Serve;
    public int Fetches => Volatile.Read(ref _fetches);
    /// <summary>Raw JSON values served in "keys" after the published keys: entries a verifier must skip.</summary>
    public IReadOnlyList<string> ExtraEntries { get; set; } = [];
    /// <summary>When set, served as the whole JWKS body instead of the published keys.</summary>
    public string? RawDocument { get; set; }

    private TestIdentityProvider(WebApplication app, string issuer, string jwksUrl, string audience, SigningKey key)
    {
        _app = app;
        Issuer = issuer;
        JwksUrl = jwksUrl;
        Audience = audience;
        Key = key;
        _published = [key];
    }

    /// <summary>An Auth0 look-alike: issuer <c>http://127.0.0.1:port/</c>, JWKS at <c>.well-known/jwks.json</c>.</summary>
    public static Task<TestIdentityProvider> StartAuth0Async(string audience = "https://api.gatehouse.test/") =>
        StartAsync("", ".well-known/jwks.json", audience);

    /// <summary>An Authentik look-alike: issuer <c>http://127.0.0.1:port/application/o/{slug}/</c>, JWKS at <c>jwks/</c>.</summary>
    public static Task<TestIdentityProvider> StartAuthentikAsync(string slug = "gatehouse", string clientId = "gatehouse-client") =>
        StartAsync($"application/o/{slug}/", "jwks/", clientId);

    private static async Task<TestIdentityProvider> StartAsync(string issuerPath, string jwksPath, string audience)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestIdentityProvider? self = null;
        app.MapGet("/" + issuerPath + jwksPath, () => self!.ServeJwks());
        await app.StartAsync();
        var origin = app.Urls.First().TrimEnd('/');
        var issuer = $"{origin}/{issuerPath}";
        self = new TestIdentityProvider(app, issuer, issuer + jwksPath, audience, SigningKey.CreateRsa());
        return self;
    }

    private IResult ServeJwks()
    {
        Interlocked.Increment(ref _fetches);
        if (Behaviour == Mode.Fail)
            return Results.StatusCode((int)HttpStatusCode.ServiceUnavailable);
        if (RawDocument is { } raw)
            return Results.Text(raw, "application/json");
        lock (_gate)
        {
            var keys = _published.Select(k => k.ToPublicJwk().ToJsonString()).Concat(ExtraEntries);
            return Results.Text($"{{\"keys\":[{string.Join(",", keys)}]}}", "application/json");
        }
    }

    /// <summary>Publishes exactly these keys from now on.</summary>
    public void Publish(params SigningKey[] keys)
    {
        lock (_gate) _published = [.. keys];
    }

    /// <summary>Key rotation: a new key becomes the signing key and is published beside the old one.</summary>
    public SigningKey Rotate()
    {
        var next = SigningKey.CreateRsa();
        lock (_gate) _published = [.. _published, next];
        Key = next;
        return next;
    }

    public JsonObject Claims(string subject, IDictionary<string, JsonNode?>? extra = null, TimeSpan? lifetime = null) =>
        TokenMinter.Claims(Issuer, Audience, subject, lifetime, extra);

    /// <summary>A valid access token for <paramref name="subject"/> with the given extra claims.</summary>
    public string Token(string subject, IDictionary<string, JsonNode?>? extra = null, SigningKey? key = null) =>
        TokenMinter.Mint(key ?? Key, Claims(subject, extra));

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
