using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth.Provisioning;

/// <summary>The user every request acts as in system mode (<c>ENABLE_AUTH=false</c>): FIRST_SUPERUSER, ensured at start-up.</summary>
public sealed class SystemUser
{
    private Guid? _id;

    public Guid Id => _id ?? throw new InvalidOperationException("The system user was not ensured at start-up.");

    // ensure_superuser (migrations/functions/ensure_superuser.sql) takes an advisory lock, so instances starting together create one user.
    private const string EnsureSql = "select ensure_superuser(@email, @userId, @workspaceId)";

    public async Task EnsureAsync(NpgsqlDataSource dataSource, string email, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        _id = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(EnsureSql,
            new { email, userId = Guid.CreateVersion7(), workspaceId = Guid.CreateVersion7() }, cancellationToken: ct));
    }
}
