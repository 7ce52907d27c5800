namespace Gatehouse.Features.Workspaces.SetActiveWorkspace;

internal static class Data
{
    private const string SetActiveWorkspaceSql = """
        update users set active_workspace_id = @workspaceId, updated_at = now()
        where id = @userId
          and exists (select 1 from workspace_members where workspace_id = @workspaceId and user_id = @userId)
        """;

    public abstract record Outcome
    {
        public sealed record Set : Outcome;
        public sealed record NotAMember : Outcome;
    }

    public static async Task<Outcome> SetAsync(Db db, AuthContext auth, Guid workspaceId, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var updated = await session.ExecuteAsync(SetActiveWorkspaceSql,
            new { userId = auth.UserId, workspaceId }, ct);
        await session.CommitAsync(ct);
        return updated == 1 ? new Outcome.Set() : new Outcome.NotAMember();
    }
}
