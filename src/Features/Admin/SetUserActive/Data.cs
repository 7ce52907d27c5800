using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Admin.SetUserActive;

internal static class Data
{
    // Through a SECURITY DEFINER function (migrations/functions/admin_set_user_active.sql): the users policy lets a user update only their own row.
    private const string SetUserActiveSql = """
        select id, email, email_verified, full_name, is_active, is_superuser, created_at
        from admin_set_user_active(@userId, @isActive)
        """;

    /// <returns>The user after the change; null when there is no such user.</returns>
    public static async Task<Response?> SetAsync(Db db, AuthContext auth, Guid userId, bool isActive, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var user = await session.QuerySingleOrDefaultAsync<Response>(SetUserActiveSql, new { userId, isActive }, ct);
        if (user is null)
            return null;
        // Commit forgets the user's cached row here; the NOTIFY it sends makes other instances forget it too.
        await session.CommitAsync(ct);
        return user;
    }
}
