using Gatehouse.Infrastructure.Database;
using Npgsql;

namespace Gatehouse.Infrastructure.Web;

/// <summary>Something that must hold before the instance takes traffic; returns the problem, or null when fine.</summary>
public interface IReadinessCheck
{
    string Name { get; }
    Task<string?> ProblemAsync(CancellationToken ct);
}

/// <summary>Ready when PostgreSQL answers and every embedded migration is in the journal.</summary>
public sealed class DatabaseReadiness(NpgsqlDataSource dataSource) : IReadinessCheck
{
    public string Name => "database";

    public async Task<string?> ProblemAsync(CancellationToken ct)
    {
        try
        {
            var pending = await Migrator.PendingAsync(dataSource, ct);
            return pending.Count == 0 ? null : $"{pending.Count} migration(s) pending: {string.Join(", ", pending)}";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return "the database does not answer";
        }
    }
}

public static class Health
{
    public static IServiceCollection AddHealth(this IServiceCollection services) =>
        services.AddSingleton<IReadinessCheck, DatabaseReadiness>();

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }))
            .AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/health/ready", async (IEnumerable<IReadinessCheck> checks, HttpContext context) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var problems = new Dictionary<string, string>();
            foreach (var check in checks)
            {
                string? problem;
                try { problem = await check.ProblemAsync(timeout.Token); }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested) { problem = "timed out"; }
                if (problem is not null)
                    problems[check.Name] = problem;
            }
            return problems.Count == 0
                ? Results.Ok(new { status = "ready" })
                : Results.Json(new { status = "not_ready", problems }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
