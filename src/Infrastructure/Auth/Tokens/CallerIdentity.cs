using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace Gatehouse.Infrastructure.Auth.Tokens;

[JsonConverter(typeof(JsonStringEnumConverter<AuthMethod>))]
public enum AuthMethod
{
    [JsonStringEnumMemberName("auth0"), EnumMember(Value = "auth0")] Auth0,
    [JsonStringEnumMemberName("authentik"), EnumMember(Value = "authentik")] Authentik,
    [JsonStringEnumMemberName("api_key"), EnumMember(Value = "api_key")] ApiKey,
    [JsonStringEnumMemberName("system"), EnumMember(Value = "system")] System,
}

/// <summary>
/// Who the credential says the caller is, as the authentication handler verified it — before any
/// database work. The pre-processor turns it into an <see cref="AuthContext"/>.
/// </summary>
public sealed record CallerIdentity(
    AuthMethod Method,
    IReadOnlySet<string> Permissions,
    string? Subject = null,
    string? Email = null,
    bool EmailVerified = false,
    string? Name = null,
    Guid? UserId = null,
    Guid? KeyWorkspaceId = null);
