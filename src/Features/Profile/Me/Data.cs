using Dapper;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Profile.Me;

internal static class Data
{
    private const string LoadProfileSql = """
        select id, email, full_name, avatar_url, preferences::text as preferences, active_workspace_id, is_active
        from users
        where id = @userId
        """;

    internal sealed record Profile
    {
        public Guid Id { get; init; }
        public string? Email { get; init; }
        public string? FullName { get; init; }
        public string? AvatarUrl { get; init; }
        public string Preferences { get; init; } = "{}";
        public Guid? ActiveWorkspaceId { get; init; }
        public bool IsActive { get; init; }
    }

    public static async Task<Profile> LoadAsync(Db db, AuthContext auth, CancellationToken ct)
    {
        await using var session = await db.BeginAsync(auth.UserId, auth.WorkspaceId, ct);
        return await session.Connection.QuerySingleAsync<Profile>(
            new CommandDefinition(LoadProfileSql, new { userId = auth.UserId }, session.Transaction, cancellationToken: ct));
    }
}
