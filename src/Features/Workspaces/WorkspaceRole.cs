using System.Text.Json.Serialization;

namespace Gatehouse.Features.Workspaces;

[JsonConverter(typeof(JsonStringEnumConverter<WorkspaceRole>))]
internal enum WorkspaceRole
{
    [JsonStringEnumMemberName("owner")] Owner,
    [JsonStringEnumMemberName("admin")] Admin,
    [JsonStringEnumMemberName("member")] Member,
}

internal static class WorkspaceRoles
{
    /// <summary>The value stored in workspace_members.role (Dapper would send an enum as its number).</summary>
    public static string ToDatabase(this WorkspaceRole role) => role.ToString().ToLowerInvariant();

    public static bool CanManageMembers(string? role) => role is "owner" or "admin";
}
