namespace Gatehouse.Features.Workspaces.AddMember;

internal static class Data
{
    // Only a verified address identifies a person; an unverified one could be anybody's claim. The
    // lookup crosses workspaces, so it is a SECURITY DEFINER function (migrations/functions/find_verified_users_by_email.sql).
    private const string FindUsersByEmailSql = "select find_verified_users_by_email(@email)";

    private const string AddMemberSql = """
        insert into workspace_members (workspace_id, user_id, role)
        values (@workspaceId, @userId, @role)
        on conflict do nothing
        """;

    // A separate statement: the new member becomes visible (row-level security) once the insert is done.
    private const string LoadMemberSql = """
        select u.id as user_id, u.email, u.full_name, m.role
        from workspace_members m join users u on u.id = m.user_id
        where m.workspace_id = @workspaceId and m.user_id = @userId
        """;

    public abstract record Outcome
    {
        public sealed record Added(MemberResponse Member) : Outcome;
        public sealed record UnknownEmail : Outcome;
        public sealed record AmbiguousEmail : Outcome;
        public sealed record AlreadyMember : Outcome;
    }

    public static async Task<Outcome> AddAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var users = (await session.QueryAsync<Guid>(FindUsersByEmailSql,
            new { email = request.Email.Trim() }, ct)).ToList();
        if (users.Count == 0) return new Outcome.UnknownEmail();
        if (users.Count > 1) return new Outcome.AmbiguousEmail();

        var args = new { workspaceId = auth.WorkspaceId, userId = users[0], role = request.Role.ToDatabase() };
        if (await session.ExecuteAsync(AddMemberSql, args, ct) == 0)
            return new Outcome.AlreadyMember();
        var member = await session.QuerySingleAsync<MemberResponse>(LoadMemberSql, args, ct);
        session.Audit(AuditAction.MemberAdded, AuditTarget.User(users[0]), new { role = request.Role });
        await session.CommitAsync(ct);
        return new Outcome.Added(member);
    }
}
