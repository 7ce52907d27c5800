namespace Gatehouse.Infrastructure.Database;

public static class MigrateOnStartupExtensions
{
    /// <summary>Applies pending migrations before serving when <c>MIGRATE_ON_STARTUP</c> says so (default: only in Development).</summary>
    public static WebApplication MigrateOnStartup(this WebApplication app)
    {
        var setting = app.Configuration["MIGRATE_ON_STARTUP"];
        var enabled = string.IsNullOrWhiteSpace(setting)
            ? app.Environment.IsDevelopment()
            : bool.TryParse(setting, out var parsed) ? parsed
            : throw new StartupException("MIGRATE_ON_STARTUP must be true or false.");
        if (!enabled)
            return app;

        var connections = app.Services.GetRequiredService<DatabaseSetup.ConnectionStrings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations");
        var result = Migrator.Apply(connections.Migration, Migrator.EmbeddedScripts(), Migrator.RuntimeRole(connections), logger);
        if (!result.Successful)
            throw new StartupException(result.Describe());
        return app;
    }
}
