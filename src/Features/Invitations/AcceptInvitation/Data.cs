using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.AcceptInvitation;

internal static class Data
{
    // Claims the invitation and adds the membership in one statement, race-free: of concurrent accepts
    // one gets the row, the others nothing (migrations/functions/accept_invitation.sql).
    private const string AcceptSql = """
        select workspace_id, name, role, invited_role, already_member from accept_invitation(@id)
        """;

    private sealed record Row
    {
        public Guid WorkspaceId { get; init; }
        public string Name { get; init; } = "";
        public WorkspaceRole Role { get; init; }
        public WorkspaceRole InvitedRole { get; init; }
        public bool AlreadyMember { get; init; }
    }

    public abstract record Outcome
    {
        /// <summary>The workspace the caller is now a member of.</summary>
        public sealed record Accepted(WorkspaceResponse Workspace) : Outcome;
        /// <summary>Not the caller's to accept: someone else's, expired or used.</summary>
        public sealed record NotFound : Outcome;
    }

    public static async Task<Outcome> AcceptAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var accepted = await session.QuerySingleOrDefaultAsync<Row>(AcceptSql, new { id }, ct);
        if (accepted is null)
            return new Outcome.NotFound();
        // The event belongs to the inviting workspace, not to the one the request runs in.
        session.Audit(AuditAction.InvitationAccepted, AuditTarget.Invitation(id),
            new { role = accepted.InvitedRole, already_member = accepted.AlreadyMember }, accepted.WorkspaceId);
        await session.CommitAsync(ct);
        return new Outcome.Accepted(new WorkspaceResponse { Id = accepted.WorkspaceId, Name = accepted.Name, Role = accepted.Role });
    }
}
