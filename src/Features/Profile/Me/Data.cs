using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Profile.Me;

internal static class Data
{
    private const string LoadProfileSql = """
        select id, email, full_name, avatar_url, preferences::text as preferences, active_workspace_id, is_active
        from users
        where id = @userId
        """;

    public static async Task<ProfileResponse.Row> LoadAsync(Db db, AuthContext auth, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth.UserId, auth.WorkspaceId, ct);
        return await session.Connection.QuerySingleAsync<ProfileResponse.Row>(
            new CommandDefinition(LoadProfileSql, new { userId = auth.UserId }, session.Transaction, cancellationToken: ct));
    }
}
