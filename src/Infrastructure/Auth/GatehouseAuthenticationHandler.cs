using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Gatehouse.Infrastructure.Auth.ApiKeys;
using Gatehouse.Infrastructure.Auth.Provisioning;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// The default authentication scheme: checks the one credential a request carries (Bearer JWT,
/// X-API-Key, or system mode) and answers failures with RFC 6750 challenges and problem+json.
/// It does no database work for tokens; the auth-context pre-processor does that once per request.
/// </summary>
public sealed class GatehouseAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AuthSettings settings,
    TokenValidator tokens,
    ApiKeyAuthenticator apiKeys,
    SystemUser systemUser,
    Database.RuntimeRoleCheck roleCheck)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Gatehouse";
    public const string ApiKeyHeader = "X-API-Key";
    public const string PermissionClaim = "permissions";
    public const string MethodClaim = "auth_method";
    private const string FailureKey = "gatehouse.auth_failure";

    private enum FailureKind { InvalidToken, InvalidApiKey, Unavailable, NotReady }
    private sealed record Failure(FailureKind Kind, string Reason, TimeSpan RetryAfter = default);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Anonymous endpoints neither need nor pay for a credential check.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            return AuthenticateResult.NoResult();

        if (!settings.Enabled)
            return await NotReadyAsync() ?? Success(new CallerIdentity(AuthMethod.System, new HashSet<string> { settings.AdminPermission },
                Email: settings.FirstSuperuser, EmailVerified: true, UserId: systemUser.Id));

        var authorization = Request.Headers.Authorization;
        var apiKey = Request.Headers[ApiKeyHeader];
        if (authorization.Count == 0 && apiKey.Count == 0)
            return AuthenticateResult.NoResult();
        if (authorization.Count > 0 && apiKey.Count > 0 || authorization.Count > 1 || apiKey.Count > 1)
            return Fail(new Failure(FailureKind.InvalidToken, "send exactly one credential: a Bearer token or an X-API-Key"));

        if (apiKey.Count == 1)
        {
            if (await NotReadyAsync() is { } notReady)
                return notReady;
            var identity = await apiKeys.AuthenticateAsync(apiKey.ToString(), Context.RequestAborted);
            return identity is null
                ? Fail(new Failure(FailureKind.InvalidApiKey, "unknown, revoked or expired API key"))
                : Success(identity);
        }

        var header = authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7 || string.IsNullOrWhiteSpace(header[7..]))
            return Fail(new Failure(FailureKind.InvalidToken, "expected Authorization: Bearer <access token>"));

        switch (await tokens.ValidateAsync(header[7..].Trim(), Context.RequestAborted))
        {
            case TokenCheck.Valid valid:
                return await NotReadyAsync() ?? Success(valid.Identity);
            case TokenCheck.Unavailable unavailable:
                Logger.LogWarning("Token not decided: the signing keys of {Provider} cannot be fetched", unavailable.Provider);
                return Fail(new Failure(FailureKind.Unavailable, $"the signing keys of {unavailable.Provider} cannot be fetched right now", unavailable.RetryAfter));
            case TokenCheck.Invalid invalid:
                Logger.LogInformation("Bearer token rejected: {Reason} (iss {Issuer}, kid {Kid})",
                    invalid.Reason, Shorten(invalid.Issuer), Shorten(invalid.Kid));
                return Fail(new Failure(FailureKind.InvalidToken, invalid.Reason));
            default:
                throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>
    /// A credential that would be served is held back (503) until the runtime role is known to be bound
    /// by row-level security; before the first database work of the request, after the checks that need none.
    /// </summary>
    private async Task<AuthenticateResult?> NotReadyAsync() =>
        await roleCheck.RequestBlockerAsync(Context.RequestAborted) is { } reason
            ? Fail(new Failure(FailureKind.NotReady, reason, Database.RuntimeRoleCheck.RetryAfter))
            : null;

    private AuthenticateResult Success(CallerIdentity identity)
    {
        Context.Features.Set(identity);
        var claims = new List<Claim> { new(MethodClaim, identity.Method.ToString()) };
        if (identity.Subject is not null) claims.Add(new Claim("sub", identity.Subject));
        claims.AddRange(identity.Permissions.Select(p => new Claim(PermissionClaim, p)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private AuthenticateResult Fail(Failure failure)
    {
        Context.Items[FailureKey] = failure;
        return AuthenticateResult.Fail(failure.Reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        switch (Context.Items[FailureKey] as Failure)
        {
            case { Kind: FailureKind.Unavailable } f:
                Response.Headers.RetryAfter = Math.Ceiling(f.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable,
                    $"The token cannot be checked now: {f.Reason}. Retry later.");
            case { Kind: FailureKind.NotReady } f:
                Response.Headers.RetryAfter = Math.Ceiling(f.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable,
                    $"Gatehouse cannot serve this request now: {f.Reason}. Retry later.");
            case { Kind: FailureKind.InvalidApiKey } f:
                Response.Headers.Append("WWW-Authenticate", "Bearer");
                Response.Headers.Append("WWW-Authenticate", $"ApiKey header=\"{ApiKeyHeader}\"");
                return Context.WriteProblemAsync(StatusCodes.Status401Unauthorized, $"The API key was not accepted: {f.Reason}.");
            case { Kind: FailureKind.InvalidToken } f:
                Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{f.Reason}\"";
                return Context.WriteProblemAsync(StatusCodes.Status401Unauthorized, $"The access token was not accepted: {f.Reason}.");
            default:
                Response.Headers.WWWAuthenticate = "Bearer";
                return Context.WriteProblemAsync(StatusCodes.Status401Unauthorized,
                    "This endpoint needs authentication: send Authorization: Bearer <access token> or X-API-Key.");
        }
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        return Context.WriteProblemAsync(StatusCodes.Status403Forbidden, "The credential lacks a permission this endpoint requires.");
    }

    /// <summary>
    /// Issuer and kid come from an unverified token: log them bounded, and with control characters
    /// replaced, so that a crafted kid cannot start a forged line in a text log.
    /// </summary>
    internal static string? Shorten(string? value)
    {
        if (value is null) return null;
        var bounded = value.Length <= 100 ? value : value[..100] + "…";
        return bounded.Any(char.IsControl)
            ? string.Create(bounded.Length, bounded, (span, s) => { for (var i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) ? '?' : s[i]; })
            : bounded;
    }
}
