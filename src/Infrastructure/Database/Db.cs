using System.Data;
using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Caching;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Opens the unit of work for a request: one connection, one transaction whose settings carry the
/// request's user and workspace (read by row-level security). They are transaction-local, so a
/// pooled connection never carries one request's context into the next.
/// </summary>
public sealed class Db(NpgsqlDataSource dataSource, CallerCache cache)
{
    public Task<DbSession> BeginAsync(AuthContext auth, CancellationToken ct, IsolationLevel isolation = IsolationLevel.ReadCommitted) =>
        BeginAsync(auth.UserId, auth.WorkspaceId, ct, isolation);

    public async Task<DbSession> BeginAsync(Guid? userId, Guid? workspaceId, CancellationToken ct,
        IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            // Npgsql sends BEGIN with the first statement: no round trip yet.
            var transaction = await connection.BeginTransactionAsync(isolation, ct);
            return new DbSession(connection, transaction, cache, userId, workspaceId);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// A request's transaction. Its Query/Execute methods are the only way to run SQL in it, and the
/// first of them sends the row-level-security context in the same round trip as the statement.
/// </summary>
public sealed class DbSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CallerCache cache, Guid? userId, Guid? workspaceId)
    : IAsyncDisposable
{
    private const string SetContextSql = """
        select set_config('gatehouse.user_id', @gatehouse_user_id, true),
               set_config('gatehouse.workspace_id', @gatehouse_workspace_id, true);
        """;

    // What the transaction changed that an instance may remember (migrations/0005 triggers).
    private const string ChangedSql = "select current_setting('gatehouse.changed', true)";

    private bool _contextSent;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct)
    {
        if (_contextSent)
            return (await connection.QueryAsync<T>(Command(sql, args, ct))).AsList();
        await using var results = await connection.QueryMultipleAsync(WithContext(sql, args, ct));
        await results.ReadAsync();
        return (await results.ReadAsync<T>()).AsList();
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args, CancellationToken ct)
    {
        if (_contextSent)
            return await connection.QuerySingleOrDefaultAsync<T>(Command(sql, args, ct));
        await using var results = await connection.QueryMultipleAsync(WithContext(sql, args, ct));
        await results.ReadAsync();
        return await results.ReadSingleOrDefaultAsync<T>();
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? args, CancellationToken ct) =>
        await QuerySingleOrDefaultAsync<T>(sql, args, ct) ?? throw new InvalidOperationException("The statement returned no row.");

    /// <returns>The rows the statement inserted, updated or deleted.</returns>
    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct) =>
        connection.ExecuteAsync(_contextSent ? Command(sql, args, ct) : WithContext(sql, args, ct));

    /// <summary>
    /// Commits, then forgets what this transaction changed, so this instance's next request reads the
    /// new rows; other instances forget on the NOTIFY that the same commit sends.
    /// </summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        var changed = await QuerySingleOrDefaultAsync<string>(ChangedSql, null, ct);
        await transaction.CommitAsync(ct);
        foreach (var item in (changed ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            cache.Forget(item);
    }

    private CommandDefinition Command(string sql, object? args, CancellationToken ct) =>
        new(sql, args, transaction, cancellationToken: ct);

    private CommandDefinition WithContext(string sql, object? args, CancellationToken ct)
    {
        var parameters = new DynamicParameters(args);
        parameters.Add("gatehouse_user_id", userId?.ToString() ?? "");
        parameters.Add("gatehouse_workspace_id", workspaceId?.ToString() ?? "");
        _contextSent = true;
        return new CommandDefinition(SetContextSql + sql, parameters, transaction, cancellationToken: ct);
    }

    /// <summary>Rolls back whatever was not committed and returns the connection to the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
