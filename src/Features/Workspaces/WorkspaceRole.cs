using System.Runtime.Serialization;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Web;
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

    /// <summary>Owners and admins manage members; anyone else gets a 403 and false.</summary>
    public static async Task<bool> EnsureManagerAsync(HttpContext http, string action)
    {
        if (http.Auth().Role is "owner" or "admin")
            return true;
        await http.WriteProblemAsync(StatusCodes.Status403Forbidden, $"Only owners and admins can {action}.");
        return false;
    }
}
