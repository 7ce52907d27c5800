namespace Gatehouse.Features.Invitations.ListInvitations;

internal static class Data
{
    private const string ListPendingSql = """
        select id, email, role, workspace_id, invited_by, created_at, expires_at
        from invitations
        where workspace_id = @workspaceId
          and accepted_at is null and declined_at is null and revoked_at is null and expires_at > now()
        order by created_at, id
        """;

    public static Task<List<InvitationResponse>> ListAsync(Db db, AuthContext auth, CancellationToken ct) =>
        db.QueryAsync<InvitationResponse>(auth, ListPendingSql, new { workspaceId = auth.WorkspaceId }, ct);
}
