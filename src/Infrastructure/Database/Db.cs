using System.Data;
using Gatehouse.Infrastructure.Caching;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Opens the unit of work for a request: one connection, one transaction, whose first round trip sets
/// the request's user and workspace as transaction-local settings (read by row-level security), so a
/// pooled connection never carries one request's context into the next.
/// </summary>
public sealed class Db(NpgsqlDataSource dataSource, CallerCache cache)
{
    private const string SetContextSql = """
        select set_config('gatehouse.user_id', @userId, true),
               set_config('gatehouse.workspace_id', @workspaceId, true)
        """;

    public async Task<DbSession> BeginAsync(Guid? userId, Guid? workspaceId, CancellationToken ct,
        IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(isolation, ct);
            await using (var command = new NpgsqlCommand(SetContextSql, connection, transaction))
            {
                command.Parameters.AddWithValue("userId", userId?.ToString() ?? "");
                command.Parameters.AddWithValue("workspaceId", workspaceId?.ToString() ?? "");
                await command.ExecuteNonQueryAsync(ct);
            }
            return new DbSession(connection, transaction, cache);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

public sealed class DbSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CallerCache cache) : IAsyncDisposable
{
    // What the transaction changed that an instance may remember (migrations/0005 triggers).
    private const string ChangedSql = "select current_setting('gatehouse.changed', true)";

    public NpgsqlConnection Connection { get; } = connection;
    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>
    /// Commits, then forgets what this transaction changed, so this instance's next request reads the
    /// new rows; other instances forget on the NOTIFY that the same commit sends.
    /// </summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        string? changed;
        await using (var command = new NpgsqlCommand(ChangedSql, Connection, Transaction))
            changed = await command.ExecuteScalarAsync(ct) as string;
        await Transaction.CommitAsync(ct);
        foreach (var item in (changed ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            cache.Forget(item);
    }

    /// <summary>Rolls back whatever was not committed and returns the connection to the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
