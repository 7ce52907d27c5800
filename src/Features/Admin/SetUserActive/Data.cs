namespace Gatehouse.Features.Admin.SetUserActive;

internal static class Data
{
    // Through a SECURITY DEFINER function (migrations/functions/admin_set_user_active.sql): the users policy lets a user update only their own row.
    private const string SetUserActiveSql = """
        select id, email, email_verified, full_name, is_active, is_superuser, created_at, changed
        from admin_set_user_active(@userId, @isActive)
        """;

    public abstract record Outcome
    {
        public sealed record Changed(Response User) : Outcome;
        public sealed record NotFound : Outcome;
    }

    public static async Task<Outcome> SetAsync(Db db, AuthContext auth, Guid userId, bool isActive, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var user = await session.QuerySingleOrDefaultAsync<Response>(SetUserActiveSql, new { userId, isActive }, ct);
        if (user is null)
            return new Outcome.NotFound();
        // A repeat (disabling a disabled user) changes nothing and records nothing.
        if (user.Changed)
            session.Audit(isActive ? AuditAction.UserEnabled : AuditAction.UserDisabled, AuditTarget.User(userId));
        // Commit forgets the user's cached row here; the NOTIFY it sends makes other instances forget it too.
        await session.CommitAsync(ct);
        return new Outcome.Changed(user);
    }
}
