using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Workspaces.AddMember;

internal static class Data
{
    // Only a verified address identifies a person; an unverified one could be anybody's claim.
    private const string FindUsersByEmailSql = """
        select id from users
        where lower(email) = lower(@email) and email_verified and is_active
        order by created_at
        limit 2
        """;

    private const string AddMemberSql = """
        with added as (
            insert into workspace_members (workspace_id, user_id, role)
            values (@workspaceId, @userId, @role)
            on conflict do nothing
            returning user_id, role
        )
        select u.id as user_id, u.email, u.full_name, a.role
        from added a join users u on u.id = a.user_id
        """;

    public enum Outcome { Added, UnknownEmail, AmbiguousEmail, AlreadyMember }

    public static async Task<(Outcome, MemberResponse?)> AddAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth.UserId, auth.WorkspaceId, ct);
        var users = (await session.Connection.QueryAsync<Guid>(new CommandDefinition(FindUsersByEmailSql,
            new { email = request.Email.Trim() }, session.Transaction, cancellationToken: ct))).ToList();
        if (users.Count == 0) return (Outcome.UnknownEmail, null);
        if (users.Count > 1) return (Outcome.AmbiguousEmail, null);

        var member = await session.Connection.QuerySingleOrDefaultAsync<MemberResponse>(new CommandDefinition(AddMemberSql,
            new { workspaceId = auth.WorkspaceId, userId = users[0], role = request.Role.ToDatabase() }, session.Transaction, cancellationToken: ct));
        if (member is null) return (Outcome.AlreadyMember, null);
        await session.CommitAsync(ct);
        return (Outcome.Added, member);
    }
}
