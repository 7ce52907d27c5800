using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using System.Net.Http.Headers;
using DevIdp.Tokens;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Gatehouse.Tests.Support;

/// <summary>
/// The one in-process Gatehouse of this test process (FastEndpoints keeps static configuration),
/// with its own migrated database and two real identity providers serving JWKS over HTTP.
/// Tests share it and keep apart by creating uniquely named data.
/// </summary>
public sealed class TestApp
{
    private static readonly Lazy<Task<TestApp>> Shared = new(StartAsync);

    public const string ClaimNamespace = "https://gatehouse.test/";
    public const string LogoutRedirect = "https://app.example.com/";
    public const string AllowedLogoutRedirect = "https://app.example.com/signed-out";
    public const string Auth0ClientId = "test-spa";

    public required TestDatabase Db { get; init; }
    public required TestIdentityProvider Auth0 { get; init; }
    public required TestIdentityProvider Authentik { get; init; }
    public required WebApplicationFactory<Program> Factory { get; init; }
    /// <summary>A 1024-bit RSA key that the Auth0 provider publishes: too short to be trusted.</summary>
    public required SigningKey WeakKey { get; init; }
    /// <summary>A P-256 key that the Authentik provider publishes (ES256 is allowed there, not for Auth0).</summary>
    public required SigningKey EcKey { get; init; }
    /// <summary>Sees every row, whatever row-level security says: for asserting what the API wrote.</summary>
    public NpgsqlDataSource Superuser => Db.Superuser;

    public static Task<TestApp> GetAsync() => Shared.Value;

    /// <summary>Spans the shared app recorded: those of requests sent with a sampled traceparent.</summary>
    public static readonly List<System.Diagnostics.Activity> Spans = [];

    private static async Task<TestApp> StartAsync()
    {
        var db = await TestDatabase.CreateAsync("app");
        var auth0 = await TestIdentityProvider.StartAuth0Async();
        var authentik = await TestIdentityProvider.StartAuthentikAsync();
        var weak = SigningKey.CreateRsa(bits: 1024);
        auth0.Publish(auth0.Key, weak);
        var ec = SigningKey.CreateEc();
        authentik.Publish(authentik.Key, ec);
        foreach (var (name, value) in Environment(db, auth0, authentik))
            System.Environment.SetEnvironmentVariable(name, value);

        // Gatehouse's tracing set-up with an in-memory exporter; only requests that arrive with a sampled
        // traceparent are recorded (ParentBased over AlwaysOff), so the rest of the suite adds no spans.
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.ConfigureServices(s => s
            .AddOpenTelemetry().WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new AlwaysOffSampler()))
                .AddInMemoryExporter(Spans))));
        _ = factory.Server; // start now, so that a start-up failure fails loudly here
        return new TestApp { Db = db, Auth0 = auth0, Authentik = authentik, Factory = factory, WeakKey = weak, EcKey = ec };
    }

    /// <summary>The configuration of the shared app; a separate process starts from it and overrides what it tests.</summary>
    public static Dictionary<string, string?> Environment(TestDatabase db, TestIdentityProvider auth0, TestIdentityProvider? authentik) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DATABASE_URL"] = db.AppUrl,
        ["MIGRATION_DATABASE_URL"] = db.OwnerUrl,
        ["MIGRATE_ON_STARTUP"] = "true",
        ["ENABLE_AUTH"] = "true",
        ["AUTH_ALLOW_HTTP"] = "true",
        ["AUTH0_ISSUER"] = auth0.Issuer,
        ["AUTH0_AUDIENCE"] = auth0.Audience,
        ["AUTH0_CLIENT_ID"] = Auth0ClientId,
        ["AUTH0_CLAIM_NAMESPACE"] = ClaimNamespace,
        ["AUTH0_LOGOUT_REDIRECT_URL"] = LogoutRedirect,
        ["LOGOUT_REDIRECT_ALLOWLIST"] = AllowedLogoutRedirect,
        ["AUTHENTIK_ISSUER"] = authentik?.Issuer,
        ["AUTHENTIK_BASE_URL"] = authentik is null ? null : new Uri(authentik.Issuer).GetLeftPart(UriPartial.Authority),
        ["AUTHENTIK_APP_SLUG"] = authentik is null ? null : "gatehouse",
        ["AUTHENTIK_CLIENT_ID"] = authentik?.Audience,
        ["AUTHENTIK_ALGORITHMS"] = authentik is null ? null : "RS256,ES256",
        // The suite must not throttle itself: RateLimitTests runs processes with small limits.
        ["RATE_LIMIT_PER_MINUTE"] = "0",
        ["ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "0",
        ["AUTH_FAILURE_LIMIT_PER_MINUTE"] = "0",
    };

    public HttpClient Client(string? token = null, string? apiKey = null, Guid? workspace = null)
    {
        var client = Factory.CreateClient().WithCredentials(token, apiKey);
        if (workspace is not null) client.DefaultRequestHeaders.Add("X-Workspace-ID", workspace.ToString());
        return client;
    }

    /// <summary>A new subject's Auth0 token and an authenticated client for it.</summary>
    public HttpClient Auth0Client(out string subject, string? email = null, string? name = null, bool emailVerified = true)
    {
        subject = Unique.Subject();
        return Client(Auth0.Token(subject, Unique.Claims(email ?? Unique.Email(), name ?? "Test User", emailVerified)));
    }
}

public static class ClientCredentials
{
    /// <summary>Sends <paramref name="token"/> as a Bearer token and <paramref name="apiKey"/> as X-API-Key, each when given.</summary>
    public static HttpClient WithCredentials(this HttpClient client, string? token, string? apiKey)
    {
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }
}

public static class Unique
{
    public static string Subject(string prefix = "auth0|") => prefix + Guid.NewGuid().ToString("N");
    public static string Email() => $"user-{Guid.NewGuid():N}@example.com";
    public static string Name(string prefix = "ws") => $"{prefix}-{Guid.NewGuid():N}"[..20];

    public static Dictionary<string, System.Text.Json.Nodes.JsonNode?> Claims(string? email, string? name, bool emailVerified = true,
        params string[] permissions)
    {
        var claims = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();
        if (email is not null) { claims["email"] = email; claims["email_verified"] = emailVerified; }
        if (name is not null) claims["name"] = name;
        if (permissions.Length > 0) claims["permissions"] = new System.Text.Json.Nodes.JsonArray(permissions.Select(p => (System.Text.Json.Nodes.JsonNode?)p).ToArray());
        return claims;
    }
}

/// <summary>Shares the process-wide app with a test class.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;
    public async Task InitializeAsync() => App = await TestApp.GetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

public static class OwnerSql
{
    /// <summary>Runs as a superuser, which sees every row: for asserting what the API wrote.</summary>
    public static async Task<T> ScalarAsync<T>(this TestApp app, string sql, object? args = null)
    {
        await using var connection = await app.Superuser.OpenConnectionAsync();
        return (await Dapper.SqlMapper.ExecuteScalarAsync<T>(connection, sql, args))!;
    }

    /// <summary>
    /// Writes as a superuser, like another instance would, then waits until the app has heard of it
    /// (a marker sent after the write arrives after the write's own notifications).
    /// </summary>
    public static async Task<int> ExecuteAsync(this TestApp app, string sql, object? args = null)
    {
        await using var connection = await app.Superuser.OpenConnectionAsync();
        var changed = await Dapper.SqlMapper.ExecuteAsync(connection, sql, args);
        await app.HeardAsync(connection);
        return changed;
    }

    /// <summary>Waits until the app has heard every change committed so far (its own included).</summary>
    public static async Task HeardAsync(this TestApp app)
    {
        await using var connection = await app.Superuser.OpenConnectionAsync();
        await app.HeardAsync(connection);
    }

    private static async Task HeardAsync(this TestApp app, Npgsql.NpgsqlConnection connection)
    {
        var cache = app.Factory.Services.GetRequiredService<Gatehouse.Infrastructure.Caching.CallerCache>();
        var marker = $"sync:{Guid.NewGuid():N}";
        await Dapper.SqlMapper.ExecuteAsync(connection, "select pg_notify('gatehouse_cache', @marker)", new { marker });
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (cache.LastItem != marker && DateTime.UtcNow < deadline)
            await Task.Delay(5);
    }

    /// <summary>A workspace's members and roles as one comparable string: "changes nothing" is equality.</summary>
    public static Task<string> MembershipsAsync(this TestApp app, Guid workspace) => app.ScalarAsync<string>(
        "select coalesce(string_agg(user_id::text || ':' || role, ',' order by user_id), '') from workspace_members where workspace_id = @workspace",
        new { workspace });

    public static async Task<List<T>> QueryAsync<T>(this TestApp app, string sql, object? args = null)
    {
        await using var connection = await app.Superuser.OpenConnectionAsync();
        return (await Dapper.SqlMapper.QueryAsync<T>(connection, sql, args)).ToList();
    }
}
