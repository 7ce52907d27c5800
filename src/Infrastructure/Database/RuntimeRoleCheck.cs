using Dapper;
using Gatehouse.Infrastructure.Web;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Row-level security only isolates tenants when the API's role is subject to it: a superuser or a
/// BYPASSRLS role turns it off without a word. Checked at start-up and by readiness.
/// </summary>
public sealed class RuntimeRoleCheck(NpgsqlDataSource dataSource, DatabaseSetup.ConnectionStrings connections,
    IHostEnvironment environment, ILogger<RuntimeRoleCheck> logger) : IReadinessCheck
{
    private const string RoleSql = "select rolname, rolsuper or rolbypassrls from pg_roles where rolname = current_user";

    public string Name => "database_role";

    /// <returns>The problem with the runtime role, or null when row-level security applies to it.</returns>
    public async Task<string?> ProblemAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var (role, bypasses) = await connection.QuerySingleAsync<(string, bool)>(new CommandDefinition(RoleSql, cancellationToken: ct));
            return bypasses
                ? $"DATABASE_URL connects as {role}, a superuser or BYPASSRLS role, which turns row-level security off: " +
                  "connect as a role that has neither (see README, Deploying)."
                : null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return null; // Unreachable is the database check's to report.
        }
    }

    /// <summary>Refuses to start outside Development with a role that bypasses row-level security.</summary>
    public void EnforceAtStartup()
    {
        if (new NpgsqlConnectionStringBuilder(connections.Runtime).Username == new NpgsqlConnectionStringBuilder(connections.Migration).Username)
            logger.LogWarning("DATABASE_URL and MIGRATION_DATABASE_URL name the same role: tenant isolation then rests on " +
                "FORCE ROW LEVEL SECURITY alone. Give the API a role of its own that owns nothing.");

        var problem = ProblemAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (problem is null)
            return;
        if (!environment.IsDevelopment())
            throw new StartupException(problem);
        logger.LogWarning("{Problem} (allowed in Development only)", problem);
    }
}
