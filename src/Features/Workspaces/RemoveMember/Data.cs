using Npgsql;

namespace Gatehouse.Features.Workspaces.RemoveMember;

internal static class Data
{
    private const string LockMemberSql = """
        select role from workspace_members
        where workspace_id = @workspaceId and user_id = @userId
        for update
        """;

    // The trigger enforce_last_owner refuses to remove the last owner (SqlStates.LastOwner), and
    // clear_active_workspace unsets it as the removed user's active workspace.
    private const string RemoveMemberSql = "delete from workspace_members where workspace_id = @workspaceId and user_id = @userId";

    public abstract record Outcome
    {
        public sealed record Removed : Outcome;
        public sealed record NotAMember : Outcome;
        public sealed record OwnersOnly : Outcome;
        public sealed record LastOwner : Outcome;
    }

    public static async Task<Outcome> RemoveAsync(Db db, AuthContext auth, Guid userId, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new { workspaceId = auth.WorkspaceId, userId };
        var current = WorkspaceRoles.FromDatabase(await session.QuerySingleOrDefaultAsync<string>(LockMemberSql, args, ct));
        if (current is null)
            return new Outcome.NotAMember();
        if (current == WorkspaceRole.Owner && auth.Role != WorkspaceRole.Owner)
            return new Outcome.OwnersOnly();
        try
        {
            await session.ExecuteAsync(RemoveMemberSql, args, ct);
            session.Audit(AuditAction.MemberRemoved, AuditTarget.User(userId), new { role = current, left = userId == auth.UserId });
            await session.CommitAsync(ct);
            return new Outcome.Removed();
        }
        catch (PostgresException e) when (e.SqlState == SqlStates.LastOwner)
        {
            return new Outcome.LastOwner();
        }
    }
}
