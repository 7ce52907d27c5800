using Gatehouse.Infrastructure.Auth.Tokens;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// Who is acting and where: built once per request by <see cref="AuthContextPreProcessor"/> and
/// read by endpoints through <see cref="AuthContextExtensions.Auth"/>.
/// </summary>
/// <param name="WorkspaceId">The request's workspace; null only for a user left with no membership.</param>
/// <param name="Role">The caller's role in that workspace; null when there is none.</param>
public sealed record AuthContext(
    Guid UserId,
    string? Email,
    Guid? WorkspaceId,
    WorkspaceRole? Role,
    AuthMethod Method,
    IReadOnlySet<string> Permissions)
{
    /// <summary>The caller's row as the request path read it (memory or database): what GET /auth/me answers.</summary>
    public required Caching.CallerSnapshot Profile { get; init; }

    /// <summary>The API key the request authenticated with; null for tokens and system mode.</summary>
    public Guid? ApiKeyId { get; init; }
}

public static class AuthContextExtensions
{
    /// <summary>The request's auth context; present on every endpoint that is not anonymous.</summary>
    public static AuthContext Auth(this HttpContext context) =>
        context.Features.Get<AuthContext>()
        ?? throw new InvalidOperationException("No auth context: the endpoint is anonymous or the pre-processor did not run.");
}
