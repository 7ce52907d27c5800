using System.Text.Json;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Caching;

namespace Gatehouse.Features.Profile;

/// <summary>The caller's profile and auth context: what GET and PATCH /auth/me both answer.</summary>
internal sealed class ProfileResponse
{
    public Guid Id { get; init; }
    public string? Email { get; init; }
    public string? FullName { get; init; }
    public string? AvatarUrl { get; init; }
    public JsonElement Preferences { get; init; }
    public AuthMethod AuthMethod { get; init; }
    /// <summary>The workspace this request runs in.</summary>
    public Guid? OrganizationId { get; init; }
    public Guid? ActiveWorkspaceId { get; init; }
    public IReadOnlyList<string> Permissions { get; init; } = [];
    public bool IsActive { get; init; }

    /// <summary>The profile columns, in the shape both slices select them.</summary>
    internal sealed record Row
    {
        public Guid Id { get; init; }
        public string? Email { get; init; }
        public string? FullName { get; init; }
        public string? AvatarUrl { get; init; }
        public string Preferences { get; init; } = "{}";
        public Guid? ActiveWorkspaceId { get; init; }
        public bool IsActive { get; init; }
    }

    public static ProfileResponse From(Row row, AuthContext auth) => new()
    {
        Id = row.Id,
        Email = row.Email,
        FullName = row.FullName,
        AvatarUrl = row.AvatarUrl,
        Preferences = JsonDocument.Parse(row.Preferences).RootElement.Clone(),
        AuthMethod = auth.Method,
        OrganizationId = auth.WorkspaceId,
        ActiveWorkspaceId = row.ActiveWorkspaceId,
        Permissions = auth.Permissions.Order(StringComparer.Ordinal).ToList(),
        IsActive = row.IsActive,
    };

    public static ProfileResponse From(CallerSnapshot caller, AuthContext auth) => From(new Row
    {
        Id = caller.UserId,
        Email = caller.Email,
        FullName = caller.FullName,
        AvatarUrl = caller.AvatarUrl,
        Preferences = caller.Preferences,
        ActiveWorkspaceId = caller.ActiveWorkspaceId,
        IsActive = caller.IsActive,
    }, auth);

    internal static readonly ProfileResponse Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f70"),
        Email = "ada@example.com",
        FullName = "Ada Lovelace",
        AvatarUrl = "https://example.com/ada.png",
        Preferences = JsonDocument.Parse("""{"theme":"dark"}""").RootElement.Clone(),
        AuthMethod = AuthMethod.Auth0,
        OrganizationId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        ActiveWorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        Permissions = ["read:reports"],
        IsActive = true,
    };
}
