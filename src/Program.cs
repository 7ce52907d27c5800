using FastEndpoints.Swagger;
using Gatehouse.Features.Invitations;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Audit;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.DataProtection;
using Gatehouse.Infrastructure.Telemetry;
using Gatehouse.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(args);

try
{
    if (args is ["migrate", ..])
    {
        using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole());
        return Migrator.RunCommand(builder.Configuration, loggers.CreateLogger("Migrations"));
    }
    if (args is [AuditRetention.Command, ..])
        return await AuditRetention.RunCommandAsync(args, builder.Configuration, Console.Out, Console.Error);

    builder.AddTelemetry();
    builder.AddDatabase();
    builder.AddCaching();
    builder.AddGatehouseAuth();
    builder.AddKeyRing();
    builder.AddWeb();
    builder.AddInvitations();

    var app = builder.Build();
    // The middleware, in the order a request meets it.
    app.UseForwardedClientAddress(); // first: everything below (limits, logs) sees the client's address, not the proxy's
    app.UseErrorHandling();          // wraps all below: an exception or a bare status becomes a problem body
    app.UseCors();                   // before authentication: a preflight carries no credential
    app.UseAuthFailureLimit();       // around authentication: counts the 401s below, refuses a spent address before its credential is checked
    app.UseAuthentication();
    app.UseRateLimits();             // after authentication (budgets are per credential), before any database work
    app.UseAuthorization();
    app.UseRequestChecks();          // after authorization: an anonymous caller gets 401, not 415 or 400
    app.UseSliceEndpoints();
    app.UseSwaggerGen(uiConfig: WebSetup.SwaggerUiLogin(app.Services.GetRequiredService<AuthSettings>()));
    app.MapHealth();
    if (args.Contains("--export-swagger-docs"))
    {
        // Writes wwwroot/openapi/v1.json under the working directory and exits: no database needed.
        await app.ExportSwaggerDocsAndExitAsync("v1");
        return 0;
    }

    app.LogKeyRingProtection();
    app.MigrateOnStartup();
    await app.Services.GetRequiredService<RuntimeRoleCheck>().EnforceAtStartupAsync(CancellationToken.None);
    await app.EnsureSystemModeAsync(CancellationToken.None);
    await app.RunAsync();
    return 0;
}
catch (StartupException e)
{
    Console.Error.WriteLine($"Gatehouse cannot start: {e.Message}");
    return 1;
}
catch (Npgsql.NpgsqlException e)
{
    // Npgsql's messages name the host and the failure, never the password.
    Console.Error.WriteLine($"Gatehouse cannot start: the database did not answer ({e.Message}).");
    return 1;
}

public partial class Program;
