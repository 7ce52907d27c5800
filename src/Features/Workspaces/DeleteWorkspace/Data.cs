namespace Gatehouse.Features.Workspaces.DeleteWorkspace;

internal static class Data
{
    // Row-level security lets only an owner delete (migrations/0010). Memberships, invitations and API
    // keys go by cascade; their triggers clear each member's active workspace and tell every instance to
    // forget those members and keys (migrations/0003, 0005).
    private const string DeleteWorkspaceSql = "delete from workspaces where id = @workspaceId returning name";

    public abstract record Outcome
    {
        public sealed record Deleted : Outcome;
        /// <summary>The caller is (no longer) an owner of the workspace: row-level security deleted nothing.</summary>
        public sealed record OwnersOnly : Outcome;
    }

    public static async Task<Outcome> DeleteAsync(Db db, AuthContext auth, CancellationToken ct)
    {
        // Admins and members need no round trip to be refused.
        if (auth.Role != WorkspaceRole.Owner)
            return new Outcome.OwnersOnly();
        await using var session = await db.BeginAsync(auth, ct);
        if (await session.QuerySingleOrDefaultAsync<string>(DeleteWorkspaceSql, new { workspaceId = auth.WorkspaceId }, ct) is not { } name)
            return new Outcome.OwnersOnly();
        session.Audit(AuditAction.WorkspaceDeleted, AuditTarget.Workspace(auth.WorkspaceId!.Value), new { name });
        await session.CommitAsync(ct);
        return new Outcome.Deleted();
    }
}
