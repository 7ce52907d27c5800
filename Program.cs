using FastEndpoints.Swagger;
using Gatehouse.Features.Invitations;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Database;
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

    builder.AddTelemetry();
    builder.AddDatabase();
    builder.AddCaching();
    builder.AddGatehouseAuth();
    builder.AddWeb();
    builder.AddInvitations();

    var app = builder.Build();
    app.UseWeb();
    if (args.Contains("--export-swagger-docs"))
    {
        // Writes wwwroot/openapi/v1.json under the working directory and exits: no database needed.
        await app.ExportSwaggerDocsAndExitAsync("v1");
        return 0;
    }

    app.MigrateOnStartup();
    app.Services.GetRequiredService<RuntimeRoleCheck>().EnforceAtStartup();
    app.EnsureSystemMode();
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
