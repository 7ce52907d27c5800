using System.Data;
using Dapper;
using Gatehouse.Infrastructure.Audit;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Caching;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Opens the unit of work for a request: one connection, one transaction whose settings carry the
/// request's user and workspace (read by row-level security). They are transaction-local, so a
/// pooled connection never carries one request's context into the next. The session also knows who
/// acts and from where (the request's auth context and client), for the audit events it records.
/// </summary>
public sealed class Db(NpgsqlDataSource dataSource, CallerCache cache, IHttpContextAccessor? http = null)
{
    public Task<DbSession> BeginAsync(AuthContext auth, CancellationToken ct, IsolationLevel isolation = IsolationLevel.ReadCommitted) =>
        OpenAsync(auth, auth.UserId, auth.WorkspaceId, ct, isolation);

    /// <summary>
    /// A read that is one statement (a listing): its own session in the request's context, rolled back
    /// as it ends, since there is nothing to commit.
    /// </summary>
    public async Task<List<T>> QueryAsync<T>(AuthContext auth, string sql, object? args, CancellationToken ct)
    {
        await using var session = await BeginAsync(auth, ct);
        return [.. await session.QueryAsync<T>(sql, args, ct)];
    }

    /// <summary>A context other than the auth context's own (a workspace being created); the actor is still the request's caller.</summary>
    public Task<DbSession> BeginAsync(Guid? userId, Guid? workspaceId, CancellationToken ct,
        IsolationLevel isolation = IsolationLevel.ReadCommitted) =>
        OpenAsync(http?.HttpContext?.Features.Get<AuthContext>(), userId, workspaceId, ct, isolation);

    private async Task<DbSession> OpenAsync(AuthContext? auth, Guid? userId, Guid? workspaceId, CancellationToken ct,
        IsolationLevel isolation)
    {
        var actor = auth is null ? null : AuditActor.Of(auth);
        var origin = AuditOrigin.From(http?.HttpContext);
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            // Npgsql sends BEGIN with the first statement: no round trip yet.
            var transaction = await connection.BeginTransactionAsync(isolation, ct);
            return new DbSession(connection, transaction, cache, userId, workspaceId) { Actor = actor, Origin = origin };
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
public sealed class DbSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CallerCache cache, Guid? userId, Guid? sessionWorkspaceId)
    : IAsyncDisposable
{
    private const string SetContextSql = """
        select set_config('gatehouse.user_id', @gatehouse_user_id, true),
               set_config('gatehouse.workspace_id', @gatehouse_workspace_id, true);
        """;

    // What the transaction changed that an instance may remember (migrations/0005 triggers).
    private const string ChangedSql = "select current_setting('gatehouse.changed', true)";

    // Queued events go in with the commit, in its round trip: an event exists only with its change.
    // The insert is checked by row-level security (migrations/0009: the actor is the context's user).
    private const string InsertAuditEventsSql = """
        insert into audit_events (action, actor_user_id, actor_method, actor_api_key_id, workspace_id,
                                  target_type, target_id, ip, user_agent, request_id, details)
        select e.action, @auditActorUserId, @auditActorMethod, @auditActorApiKeyId, e.workspace_id,
               e.target_type, e.target_id, @auditIp::inet, @auditUserAgent, @auditRequestId, e.details::jsonb
        from unnest(@auditActions::text[], @auditWorkspaceIds::uuid[], @auditTargetTypes::text[], @auditTargetIds::text[],
                    @auditDetails::text[]) as e (action, workspace_id, target_type, target_id, details);
        """;

    private bool _contextSent;
    private readonly List<(string Action, Guid? WorkspaceId, AuditTarget Target, string Details)> _audit = [];

    /// <summary>Who acts in this session: the request's caller; null outside a request.</summary>
    public AuditActor? Actor { get; init; }

    /// <summary>The request's client IP, user agent and request id.</summary>
    public AuditOrigin Origin { get; init; } = AuditOrigin.None;

    /// <summary>
    /// Records an event of this transaction's change: written by <see cref="CommitAsync"/>, in the same
    /// round trip, so a session that does not commit (a 404, a 409, an exception) records nothing.
    /// </summary>
    /// <param name="details">A small object, serialised snake_case; never a secret (no key, token or hash).</param>
    /// <param name="workspaceId">The workspace the event belongs to; default the session's, except for
    /// <c>user.*</c> events, which are the person's and belong to no workspace (admins read them).</param>
    public void Audit(string action, AuditTarget target, object? details = null, Guid? workspaceId = null)
    {
        if (!AuditAction.All.Contains(action))
            throw new ArgumentException($"Unknown audit action {action}.", nameof(action));
        if (Actor is null)
            throw new InvalidOperationException("An audit event needs an actor: open the session with the request's auth context.");
        _audit.Add((action, workspaceId ?? (AuditAction.IsUserAction(action) ? null : sessionWorkspaceId), target, AuditDetails.Serialize(details)));
    }

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
        var changed = _audit.Count == 0
            ? await QuerySingleOrDefaultAsync<string>(ChangedSql, null, ct)
            : await QuerySingleOrDefaultAsync<string>(InsertAuditEventsSql + ChangedSql, AuditArgs(), ct);
        _audit.Clear();
        await transaction.CommitAsync(ct);
        foreach (var item in (changed ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            cache.Forget(item);
    }

    private DynamicParameters AuditArgs()
    {
        var args = new DynamicParameters();
        args.Add("auditActorUserId", Actor!.UserId);
        args.Add("auditActorMethod", Actor.MethodName);
        args.Add("auditActorApiKeyId", Actor.ApiKeyId);
        args.Add("auditIp", Origin.Ip);
        args.Add("auditUserAgent", Origin.UserAgent);
        args.Add("auditRequestId", Origin.RequestId);
        args.Add("auditActions", _audit.Select(e => e.Action).ToArray());
        args.Add("auditWorkspaceIds", _audit.Select(e => e.WorkspaceId).ToArray());
        args.Add("auditTargetTypes", _audit.Select(e => e.Target.Type).ToArray());
        args.Add("auditTargetIds", _audit.Select(e => e.Target.Id).ToArray());
        args.Add("auditDetails", _audit.Select(e => e.Details).ToArray());
        return args;
    }

    private CommandDefinition Command(string sql, object? args, CancellationToken ct) =>
        new(sql, args, transaction, cancellationToken: ct);

    private CommandDefinition WithContext(string sql, object? args, CancellationToken ct)
    {
        var parameters = new DynamicParameters(args);
        parameters.Add("gatehouse_user_id", userId?.ToString() ?? "");
        parameters.Add("gatehouse_workspace_id", sessionWorkspaceId?.ToString() ?? "");
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
