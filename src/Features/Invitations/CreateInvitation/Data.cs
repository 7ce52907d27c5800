using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.CreateInvitation;

internal static class Data
{
    // An expired invitation no longer holds its address's one open slot (invitations_open_email_idx).
    private const string DropExpiredSql = """
        delete from invitations
        where workspace_id = @workspaceId and lower(email) = lower(@email)
          and accepted_at is null and declined_at is null and revoked_at is null and expires_at <= now()
        """;

    // Only a verified address identifies a person, as in AddMember.
    private const string MemberHasEmailSql = """
        select exists (select 1 from workspace_members m join users u on u.id = m.user_id
                       where m.workspace_id = @workspaceId and u.email_verified and lower(u.email) = lower(@email))
        """;

    // A concurrent invitation of the same address makes this insert nothing (the unique index).
    private const string CreateInvitationSql = """
        insert into invitations (workspace_id, email, role, invited_by, expires_at)
        values (@workspaceId, @email, @role, @userId, now() + make_interval(days => @ttlDays))
        on conflict do nothing
        returning id, email, role, workspace_id, invited_by, created_at, expires_at
        """;

    public abstract record Outcome
    {
        public sealed record Created(InvitationResponse Invitation) : Outcome;
        public sealed record AlreadyMember : Outcome;
        public sealed record AlreadyInvited : Outcome;
    }

    public static async Task<Outcome> CreateAsync(Db db, AuthContext auth, Request request, int ttlDays,
        CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var args = new
        {
            workspaceId = auth.WorkspaceId, email = request.Email.Trim(), role = request.Role!.Value.ToDatabase(),
            userId = auth.UserId, ttlDays,
        };
        if (await session.QuerySingleAsync<bool>(MemberHasEmailSql, args, ct))
            return new Outcome.AlreadyMember();
        await session.ExecuteAsync(DropExpiredSql, args, ct);
        var invitation = await session.QuerySingleOrDefaultAsync<InvitationResponse>(CreateInvitationSql, args, ct);
        if (invitation is null)
            return new Outcome.AlreadyInvited();
        session.Audit(AuditAction.InvitationCreated, AuditTarget.Invitation(invitation.Id), new { role = args.role });
        await session.CommitAsync(ct);
        return new Outcome.Created(invitation);
    }
}
