using System.Globalization;
using Gatehouse.Infrastructure.Database;
using Npgsql;

namespace Gatehouse.Infrastructure.Audit;

/// <summary>
/// <c>dotnet Api.dll prune-audit --older-than-days N [--batch B]</c>: the documented retention job.
/// It runs as the schema owner (the runtime role may not delete events) and calls
/// <c>prune_audit_events</c> one batch at a time, each its own short transaction, until a batch
/// comes back short, so a large backlog never holds a long lock on the table instances write to.
/// </summary>
public static class AuditRetention
{
    public const string Command = "prune-audit";
    private const int DefaultBatch = 10_000;
    private const string Usage = "usage: prune-audit --older-than-days N [--batch B]   (N >= 1, 1 <= B <= 100000)";

    public sealed record Options(int OlderThanDays, int Batch);

    /// <returns>0 done, 1 the database refused, 2 bad arguments.</returns>
    public static async Task<int> RunCommandAsync(string[] args, IConfiguration config, TextWriter output, TextWriter error,
        CancellationToken ct = default)
    {
        if (Parse(args) is not { } options)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        try
        {
            var owner = DatabaseSetup.ReadConnectionStrings(config).Migration;
            var before = DateTimeOffset.UtcNow.AddDays(-options.OlderThanDays);
            var deleted = await PruneAsync(owner, before, options.Batch, ct);
            await output.WriteLineAsync(
                $"Pruned {deleted} audit event(s) that occurred before {before.ToString("u", CultureInfo.InvariantCulture)}.");
            return 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            await error.WriteLineAsync("prune-audit needs the schema owner: set MIGRATION_DATABASE_URL to the role that ran the migrations.");
            return 1;
        }
        catch (Exception e) when (e is StartupException or NpgsqlException)
        {
            // Npgsql's messages name the host and the failure, never the password.
            await error.WriteLineAsync($"prune-audit failed: {e.Message}");
            return 1;
        }
    }

    public static async Task<long> PruneAsync(string ownerConnectionString, DateTimeOffset before, int batch, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        long total = 0;
        while (true)
        {
            // Autocommit: each call is a transaction of its own, so the locks of one batch go before the next.
            await using var command = new NpgsqlCommand("select prune_audit_events(@before, @batch)", connection);
            command.Parameters.AddWithValue("before", before);
            command.Parameters.AddWithValue("batch", batch);
            var deleted = (long)(await command.ExecuteScalarAsync(ct))!;
            total += deleted;
            if (deleted < batch) return total;
        }
    }

    public static Options? Parse(string[] args)
    {
        int? days = null;
        var batch = DefaultBatch;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--older-than-days" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d >= 1:
                    days = d;
                    i++;
                    break;
                case "--batch" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b is >= 1 and <= 100_000:
                    batch = b;
                    i++;
                    break;
                default:
                    return null;
            }
        }
        return days is { } n ? new Options(n, batch) : null;
    }
}
