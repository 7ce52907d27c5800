using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Gatehouse.Features.Workspaces;

[JsonConverter(typeof(JsonStringEnumConverter<WorkspaceRole>))]
internal enum WorkspaceRole
{
    [JsonStringEnumMemberName("owner"), EnumMember(Value = "owner")] Owner,
    [JsonStringEnumMemberName("admin"), EnumMember(Value = "admin")] Admin,
    [JsonStringEnumMemberName("member"), EnumMember(Value = "member")] Member,
}

internal static class WorkspaceRoles
{
    /// <summary>The value stored in workspace_members.role (Dapper would send an enum as its number).</summary>
    public static string ToDatabase(this WorkspaceRole role) => role.ToString().ToLowerInvariant();
}
