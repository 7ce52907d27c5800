using FastEndpoints;
using Gatehouse.Infrastructure.Auth.ApiKeys;
using Gatehouse.Infrastructure.Auth.Jwks;
using Gatehouse.Infrastructure.Auth.Provisioning;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.Telemetry;
using Gatehouse.Infrastructure.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth;

public static class AuthSetup
{
    public static WebApplicationBuilder AddGatehouseAuth(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.Read(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<JwksFetcher>();
        foreach (var provider in settings.Providers)
            services.AddSingleton(sp => new JwksCache(provider, sp.GetRequiredService<JwksFetcher>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<JwksCache>(),
                sp.GetRequiredService<GatehouseMetrics>()));
        services.AddSingleton<TokenValidator>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<SystemUser>();
        services.AddSingleton<AuthContextResolver>();
        services.AddSingleton<AuthContextPreProcessor>();
        services.AddSingleton(new DefaultApiKeys.Lifetime(DefaultApiKeys.ReadTtl(builder.Configuration)));
        services.AddSingleton<DefaultApiKeys>();
        services.AddHostedService<JwksRefresher>();
        services.AddSingleton<Web.IReadinessCheck, JwksReadiness>();

        services.AddAuthentication(GatehouseAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, GatehouseAuthenticationHandler>(GatehouseAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddUserTokensOnly();
        return builder;
    }

    /// <summary>System mode: warn loudly and make sure FIRST_SUPERUSER exists with a workspace.</summary>
    public static async Task EnsureSystemModeAsync(this WebApplication app, CancellationToken ct)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        if (settings.Enabled)
            return;
        app.Logger.LogWarning("ENABLE_AUTH=false: authentication is OFF and every request acts as {FirstSuperuser}. Never run this way in production.",
            settings.FirstSuperuser);
        await app.Services.GetRequiredService<SystemUser>()
            .EnsureAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), settings.FirstSuperuser!, ct);
    }

    /// <summary>
    /// What every endpoint shares, said once: the auth-context pre-processor (FastEndpoints skips the
    /// handler once it has answered) and, on protected operations, the problems the house answers for
    /// them: 401 everywhere, 403 where a workspace, a permission, a policy or a role is checked.
    /// </summary>
    public static void ConfigureEndpoint(EndpointDefinition endpoint, AuthContextPreProcessor preProcessor)
    {
        endpoint.PreProcessors(Order.Before, preProcessor);
        endpoint.DontExecuteHandlerIfResponseStarted();
        if (endpoint.AnonymousVerbs is { Length: > 0 })
            return;
        var checksAccess = endpoint.Routes?.Any(r => r.Contains($"{{{AuthContextPreProcessor.WorkspaceRouteParameter}", StringComparison.Ordinal)) == true
            || endpoint.AllowedPermissions is { Count: > 0 }
            || endpoint.PreBuiltUserPolicies is { Count: > 0 };
        endpoint.Description(b => b.Finally(e =>
        {
            DeclareProblem(e, StatusCodes.Status401Unauthorized);
            if (checksAccess || e.Metadata.OfType<WorkspaceManagers.Marker>().Any())
                DeclareProblem(e, StatusCodes.Status403Forbidden);
        }));
    }

    private static void DeclareProblem(EndpointBuilder endpoint, int status)
    {
        if (!endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), [ErrorHandling.ProblemJson]));
    }
}
