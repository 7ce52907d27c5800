namespace Gatehouse.Features.Invitations.RevokeInvitation;

internal static class Data
{
    // Only a pending one: an accepted, declined, revoked or expired invitation is a 404.
    private const string RevokeSql = """
        update invitations set revoked_at = now()
        where id = @id and workspace_id = @workspaceId
          and accepted_at is null and declined_at is null and revoked_at is null and expires_at > now()
        """;

    public abstract record Outcome
    {
        public sealed record Revoked : Outcome;
        public sealed record NotFound : Outcome;
    }

    public static async Task<Outcome> RevokeAsync(Db db, AuthContext auth, Guid id, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        if (await session.ExecuteAsync(RevokeSql, new { id, workspaceId = auth.WorkspaceId }, ct) == 0)
            return new Outcome.NotFound();
        session.Audit(AuditAction.InvitationRevoked, AuditTarget.Invitation(id));
        await session.CommitAsync(ct);
        return new Outcome.Revoked();
    }
}
