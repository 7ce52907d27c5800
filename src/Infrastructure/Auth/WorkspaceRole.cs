using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>A member's role in a workspace: the auth context, the slices and the SQL all use this one vocabulary.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkspaceRole>))]
public enum WorkspaceRole
{
    [JsonStringEnumMemberName("owner"), EnumMember(Value = "owner")] Owner,
    [JsonStringEnumMemberName("admin"), EnumMember(Value = "admin")] Admin,
    [JsonStringEnumMemberName("member"), EnumMember(Value = "member")] Member,
}

public static class WorkspaceRoles
{
    /// <summary>The value stored in workspace_members.role (Dapper would send an enum as its number).</summary>
    public static string ToDatabase(this WorkspaceRole role) => role switch
    {
        WorkspaceRole.Owner => "owner",
        WorkspaceRole.Admin => "admin",
        WorkspaceRole.Member => "member",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>A stored role; null for anything else, so an unknown value grants nothing.</summary>
    public static WorkspaceRole? FromDatabase(string? role) => role switch
    {
        "owner" => WorkspaceRole.Owner,
        "admin" => WorkspaceRole.Admin,
        "member" => WorkspaceRole.Member,
        _ => null,
    };

    /// <summary>Owners and admins manage a workspace's members.</summary>
    public static bool IsManager(this WorkspaceRole? role) => role is WorkspaceRole.Owner or WorkspaceRole.Admin;
}
