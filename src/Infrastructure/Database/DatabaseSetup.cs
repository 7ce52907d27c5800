using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

public static class DatabaseSetup
{
    /// <summary>The runtime connection (the role the API acts as) and the schema owner's (migrations).</summary>
    /// <param name="MigrationGiven">Whether MIGRATION_DATABASE_URL was set, rather than defaulting to DATABASE_URL.</param>
    public sealed record ConnectionStrings(string Runtime, string Migration, bool MigrationGiven);

    public static ConnectionStrings ReadConnectionStrings(IConfiguration config)
    {
        var runtime = DatabaseUrl.Resolve(config, "DATABASE_URL", config.GetConnectionString("Default"));
        var given = !string.IsNullOrWhiteSpace(config["MIGRATION_DATABASE_URL"]);
        var migration = given ? DatabaseUrl.Resolve(config, "MIGRATION_DATABASE_URL") : runtime;
        return new(runtime, migration, given);
    }

    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connections = ReadConnectionStrings(builder.Configuration);
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton(_ =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connections.Runtime) { Name = "gatehouse" };
            // A request's settings are transaction-local (Db.BeginAsync), so a returned connection holds
            // nothing to reset; skipping DISCARD ALL keeps the prepared statements that auto-prepare makes.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            return dataSource.Build();
        });
        // Db reads the request's client and caller for the audit events a session records.
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<Db>();
        builder.Services.AddSingleton<RuntimeRoleCheck>();
        builder.Services.AddSingleton<Web.IReadinessCheck>(sp => sp.GetRequiredService<RuntimeRoleCheck>());
        return builder;
    }
}
