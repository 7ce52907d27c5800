using Npgsql;

namespace Gatehouse.Features.Workspaces.ChangeMemberRole;

internal static class Data
{
    private const string LockMemberSql = """
        select role from workspace_members
        where workspace_id = @workspaceId and user_id = @userId
        for update
        """;

    // The trigger enforce_last_owner refuses to leave a workspace without an owner (SqlStates.LastOwner).
    private const string ChangeRoleSql = """
        with changed as (
            update workspace_members set role = @role
            where workspace_id = @workspaceId and user_id = @userId
            returning user_id, role
        )
        select u.id as user_id, u.email, u.full_name, c.role
        from changed c join users u on u.id = c.user_id
        """;

    public abstract record Outcome
    {
        public sealed record Changed(MemberResponse Member) : Outcome;
        public sealed record NotAMember : Outcome;
        public sealed record OwnersOnly : Outcome;
        public sealed record LastOwner : Outcome;
    }

    public static async Task<Outcome> ChangeAsync(Db db, AuthContext auth, Guid userId, WorkspaceRole role, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new { workspaceId = auth.WorkspaceId, userId, role = role.ToDatabase() };
        var current = WorkspaceRoles.FromDatabase(await session.QuerySingleOrDefaultAsync<string>(LockMemberSql, args, ct));
        if (current is null)
            return new Outcome.NotAMember();
        // Admins manage members and admins; only an owner can make or unmake an owner.
        if ((current == WorkspaceRole.Owner || role == WorkspaceRole.Owner) && auth.Role != WorkspaceRole.Owner)
            return new Outcome.OwnersOnly();
        try
        {
            var member = await session.QuerySingleAsync<MemberResponse>(ChangeRoleSql, args, ct);
            // Setting the role a member already has changes nothing and records nothing.
            if (current != role)
                session.Audit(AuditAction.MemberRoleChanged, AuditTarget.User(userId), new { role, previous_role = current });
            await session.CommitAsync(ct);
            return new Outcome.Changed(member);
        }
        catch (PostgresException e) when (e.SqlState == SqlStates.LastOwner)
        {
            return new Outcome.LastOwner();
        }
    }
}
