using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Workspaces.SetActiveWorkspace;

internal static class Data
{
    private const string SetActiveWorkspaceSql = """
        update users set active_workspace_id = @workspaceId, updated_at = now()
        where id = @userId
          and exists (select 1 from workspace_members where workspace_id = @workspaceId and user_id = @userId)
        """;

    /// <returns>False when the caller is not a member of the workspace.</returns>
    public static async Task<bool> SetAsync(Db db, AuthContext auth, Guid workspaceId, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var updated = await session.ExecuteAsync(SetActiveWorkspaceSql,
            new { userId = auth.UserId, workspaceId }, ct);
        await session.CommitAsync(ct);
        return updated == 1;
    }
}
