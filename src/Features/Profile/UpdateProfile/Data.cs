namespace Gatehouse.Features.Profile.UpdateProfile;

internal static class Data
{
    // Each field is written only when the body named it; the row comes back in the profile shape.
    private const string UpdateProfileSql = """
        update users set
            full_name   = case when @setFullName then @fullName else full_name end,
            avatar_url  = case when @setAvatarUrl then @avatarUrl else avatar_url end,
            preferences = case when @setPreferences then @preferences::jsonb else preferences end,
            updated_at  = now()
        where id = @userId
        returning id, email, full_name, avatar_url, preferences::text as preferences, active_workspace_id, is_active
        """;

    public static async Task<ProfileResponse.Row> UpdateAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth, ct);
        var row = await session.QuerySingleAsync<ProfileResponse.Row>(UpdateProfileSql, new
        {
            userId = auth.UserId,
            setFullName = request.HasFullName,
            fullName = request.FullName?.Trim(),
            setAvatarUrl = request.HasAvatarUrl,
            avatarUrl = request.AvatarUrl,
            setPreferences = request.HasPreferences,
            preferences = request.Preferences?.GetRawText() ?? "{}",
        }, ct);
        // Which fields the body set, not their values.
        string[] fields = [.. new[] { (request.HasFullName, "full_name"), (request.HasAvatarUrl, "avatar_url"), (request.HasPreferences, "preferences") }
            .Where(f => f.Item1).Select(f => f.Item2)];
        if (fields.Length > 0)
            session.Audit(AuditAction.UserProfileUpdated, AuditTarget.User(auth.UserId), new { fields, source = "api" });
        await session.CommitAsync(ct);
        return row;
    }
}
