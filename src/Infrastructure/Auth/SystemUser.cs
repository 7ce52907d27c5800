using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>The user every request acts as in system mode (<c>ENABLE_AUTH=false</c>): FIRST_SUPERUSER, ensured at start-up.</summary>
public sealed class SystemUser
{
    private Guid? _id;

    public Guid Id => _id ?? throw new InvalidOperationException("The system user was not ensured at start-up.");

    // An advisory lock keeps two instances starting at once from creating the user twice.
    private const string LockSql = "select pg_advisory_xact_lock(hashtext('gatehouse.first_superuser'))";

    private const string EnsureSql = """
        with existing as (
            select id from users where lower(email) = lower(@email) and is_superuser order by created_at limit 1
        ), new_user as (
            insert into users (id, email, email_verified, full_name, is_superuser, active_workspace_id)
            select @userId, @email, true, 'System', true, @workspaceId
            where not exists (select 1 from existing)
            returning id
        ), new_workspace as (
            insert into workspaces (id, name, created_by)
            select @workspaceId, 'System workspace', id from new_user
            returning id, created_by
        ), membership as (
            insert into workspace_members (workspace_id, user_id, role)
            select id, created_by, 'owner' from new_workspace
        )
        select id from existing union all select id from new_user
        """;

    public async Task EnsureAsync(NpgsqlDataSource dataSource, string email, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(LockSql, transaction: transaction, cancellationToken: ct));
        _id = await connection.QuerySingleAsync<Guid>(new CommandDefinition(EnsureSql,
            new { email, userId = Guid.CreateVersion7(), workspaceId = Guid.CreateVersion7() }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }
}
