namespace Gatehouse.Features.Invitations.DeclineInvitation;

internal static class Data
{
    // migrations/functions/decline_invitation.sql: the same conditions as accepting.
    private const string DeclineSql = "select decline_invitation(@id)";

    public abstract record Outcome
    {
        public sealed record Declined : Outcome;
        /// <summary>Not the caller's to decline: someone else's, expired or used.</summary>
        public sealed record NotFound : Outcome;
    }

    public static async Task<Outcome> DeclineAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        if (await session.QuerySingleOrDefaultAsync<Guid?>(DeclineSql, new { id }, ct) is not { } workspaceId)
            return new Outcome.NotFound();
        session.Audit(AuditAction.InvitationDeclined, AuditTarget.Invitation(id), workspaceId: workspaceId);
        await session.CommitAsync(ct);
        return new Outcome.Declined();
    }
}
