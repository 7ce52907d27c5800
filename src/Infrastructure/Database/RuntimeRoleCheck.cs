using Dapper;
using Gatehouse.Infrastructure.Web;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Row-level security only isolates tenants when the API's role is subject to it: a superuser or a
/// BYPASSRLS role turns it off without a word. Decided once PostgreSQL answers: at start-up when it
/// does, else on the first request or readiness probe after it comes up. Until then the instance is
/// not ready and protected requests wait (503), because an unchecked role may be one that sees every
/// tenant. The verdict is kept: a role's attributes do not change under a running instance.
/// </summary>
public sealed class RuntimeRoleCheck(NpgsqlDataSource dataSource, DatabaseSetup.ConnectionStrings connections,
    IHostEnvironment environment, ILogger<RuntimeRoleCheck> logger) : IReadinessCheck
{
    private const string RoleSql = "select rolname, rolsuper or rolbypassrls from pg_roles where rolname = current_user";

    /// <summary>How long a client is asked to wait while the database cannot be asked.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <param name="Problem">Why row-level security does not bind the role; null when it does.</param>
    private sealed record Verdict(string? Problem);

    private readonly Lock _gate = new();
    private volatile Verdict? _verdict;
    private Task<Verdict?>? _pending;
    private volatile bool _started;

    public string Name => "database_role";

    /// <returns>The problem with the runtime role, or null when row-level security applies to it.</returns>
    public async Task<string?> ProblemAsync(CancellationToken ct) =>
        await VerdictAsync(ct) is { } verdict
            ? verdict.Problem
            : "the runtime role is not checked yet: the database does not answer";

    /// <summary>
    /// Why a protected request must not run now (the role is unchecked, or bypasses row-level
    /// security outside Development); null when it may.
    /// </summary>
    public async Task<string?> RequestBlockerAsync(CancellationToken ct)
    {
        var verdict = await VerdictAsync(ct);
        if (verdict is null)
            return "the database does not answer, so the role Gatehouse connects as is not checked yet";
        // The client is told why without the role's name; readiness and the log name it for the operator.
        return verdict.Problem is null || environment.IsDevelopment()
            ? null
            : "the role Gatehouse connects to the database as is a superuser or BYPASSRLS role, which would turn tenant isolation off";
    }

    /// <summary>Refuses to start outside Development with a role that bypasses row-level security.</summary>
    public async Task EnforceAtStartupAsync(CancellationToken ct)
    {
        // Only two URLs that were both given can be a deliberate choice worth a warning; DATABASE_URL
        // alone is the documented single-role default.
        if (connections.MigrationGiven
            && new NpgsqlConnectionStringBuilder(connections.Runtime).Username == new NpgsqlConnectionStringBuilder(connections.Migration).Username)
            logger.LogWarning("DATABASE_URL and MIGRATION_DATABASE_URL name the same role: tenant isolation then rests on " +
                "FORCE ROW LEVEL SECURITY alone. Give the API a role of its own that owns nothing.");

        var verdict = await VerdictAsync(ct);
        if (verdict?.Problem is not null && !environment.IsDevelopment())
            throw new StartupException(verdict.Problem);
        _started = true;
        if (verdict is null)
            logger.LogWarning("The database does not answer yet: the runtime role will be checked once it does. Until then " +
                "/health/ready is not ready and protected requests get 503.");
        else if (verdict.Problem is not null)
            logger.LogWarning("{Problem} (allowed in Development only)", verdict.Problem);
    }

    /// <summary>The kept verdict, else one shared attempt to ask PostgreSQL; null while it does not answer.</summary>
    private async Task<Verdict?> VerdictAsync(CancellationToken ct)
    {
        if (_verdict is { } known)
            return known;
        Task<Verdict?> attempt;
        lock (_gate)
        {
            // Concurrent callers share one attempt; a finished one that found no database is retried.
            if (_pending is null || _pending.IsCompleted)
                _pending = AskAsync();
            attempt = _pending;
        }
        return await attempt.WaitAsync(ct);
    }

    private async Task<Verdict?> AskAsync()
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            var (role, bypasses) = await connection.QuerySingleAsync<(string, bool)>(RoleSql);
            var verdict = new Verdict(bypasses
                ? $"DATABASE_URL connects as {role}, a superuser or BYPASSRLS role, which turns row-level security off: " +
                  "connect as a role that has neither (see README, Deploying)."
                : null);
            // At start-up the refusal to start says it; later, this is the operator's one clue.
            if (_started && _verdict is null && verdict.Problem is not null && !environment.IsDevelopment())
                logger.LogError("Protected requests are refused (503): {Problem}", verdict.Problem);
            _verdict = verdict;
            return verdict;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}
