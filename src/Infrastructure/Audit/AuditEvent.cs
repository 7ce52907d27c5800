using System.Collections.Frozen;
using System.Text.Json;
using Gatehouse.Infrastructure.Auth;

namespace Gatehouse.Infrastructure.Audit;

/// <summary>The contract's action names (migrations/0009 checks the same list).</summary>
public static class AuditAction
{
    public const string UserProvisioned = "user.provisioned";
    public const string UserLinked = "user.linked";
    public const string UserProfileUpdated = "user.profile_updated";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string WorkspaceCreated = "workspace.created";
    public const string WorkspaceDeleted = "workspace.deleted";
    public const string MemberAdded = "member.added";
    public const string MemberRoleChanged = "member.role_changed";
    public const string MemberRemoved = "member.removed";
    public const string InvitationCreated = "invitation.created";
    public const string InvitationAccepted = "invitation.accepted";
    public const string InvitationDeclined = "invitation.declined";
    public const string InvitationRevoked = "invitation.revoked";
    public const string ApiKeyCreated = "api_key.created";
    public const string ApiKeyRevealed = "api_key.revealed";
    public const string ApiKeyRevoked = "api_key.revoked";

    public static readonly FrozenSet<string> All = new[]
    {
        UserProvisioned, UserLinked, UserProfileUpdated, UserDisabled, UserEnabled, WorkspaceCreated, WorkspaceDeleted,
        MemberAdded, MemberRoleChanged, MemberRemoved, InvitationCreated, InvitationAccepted, InvitationDeclined,
        InvitationRevoked, ApiKeyCreated, ApiKeyRevealed, ApiKeyRevoked,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>user.* events are about a person, not a workspace.</summary>
    public static bool IsUserAction(string action) => action.StartsWith("user.", StringComparison.Ordinal);
}

/// <summary>What an event is about: <c>{"type", "id"}</c>.</summary>
public readonly record struct AuditTarget(string Type, string Id)
{
    public static AuditTarget User(Guid id) => new("user", id.ToString());
    public static AuditTarget Workspace(Guid id) => new("workspace", id.ToString());
    public static AuditTarget ApiKey(Guid id) => new("api_key", id.ToString());
    public static AuditTarget Invitation(Guid id) => new("invitation", id.ToString());
}

/// <summary>Where a request came from, as an event records it: client IP, user agent, request id.</summary>
public sealed record AuditOrigin(string? Ip, string? UserAgent, string? RequestId)
{
    public const int MaxUserAgent = 512;
    public const int MaxRequestId = 128;

    public static readonly AuditOrigin None = new(null, null, null);

    /// <param name="http">Read after the forwarded-headers middleware, so the IP is the client's, not the proxy's.</param>
    public static AuditOrigin From(HttpContext? http)
    {
        if (http is null)
            return None;
        var address = http.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
            address = address.MapToIPv4();
        var agent = http.Request.Headers.UserAgent.ToString();
        return new AuditOrigin(
            address?.ToString(),
            agent.Length == 0 ? null : ClaimsReader.Truncate(agent.Replace("\0", ""), MaxUserAgent),
            // The trace_id every problem body of this request carries.
            ClaimsReader.Truncate(http.TraceIdentifier, MaxRequestId));
    }
}

/// <summary>Who acted: the request's user, how they authenticated, and the API key when one was used.</summary>
public sealed record AuditActor(Guid UserId, AuthMethod Method, Guid? ApiKeyId)
{
    public static AuditActor Of(AuthContext auth) => new(auth.UserId, auth.Method, auth.ApiKeyId);

    /// <summary>The value stored in audit_events.actor_method (the contract's auth_method names).</summary>
    public string MethodName => Method switch
    {
        AuthMethod.Auth0 => "auth0",
        AuthMethod.Authentik => "authentik",
        AuthMethod.ApiKey => "api_key",
        _ => "system",
    };
}

/// <summary>Details are small objects; serialised with the API's snake_case names.</summary>
public static class AuditDetails
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Serialize(object? details) => details is null ? "{}" : JsonSerializer.Serialize(details, Options);
}
