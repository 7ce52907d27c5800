namespace Gatehouse.Features.Invitations.ListMyInvitations;

internal static class Data
{
    // The invitee is no member of the inviting workspace yet: a SECURITY DEFINER function keyed by the
    // request's user and that user's verified email (migrations/functions/list_my_invitations.sql).
    private const string ListMineSql = """
        select id, workspace_id, workspace_name, role, invited_by_name, expires_at from list_my_invitations()
        """;

    public static Task<List<Response>> ListAsync(Db db, AuthContext auth, CancellationToken ct) =>
        db.QueryAsync<Response>(auth, ListMineSql, null, ct);
}
