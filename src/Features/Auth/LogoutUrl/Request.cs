namespace Gatehouse.Features.Auth.LogoutUrl;

internal sealed class Request
{
    /// <summary><c>auth0</c> or <c>authentik</c>; defaults to the first configured provider.</summary>
    [QueryParam, BindFrom("provider")]
    public string? Provider { get; init; }

    /// <summary>Where the provider sends the browser afterwards: AUTH0_LOGOUT_REDIRECT_URL or an entry of LOGOUT_REDIRECT_ALLOWLIST.</summary>
    [QueryParam, BindFrom("return_to")]
    public string? ReturnTo { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Provider)
                .Must(p => p is null or "auth0" or "authentik").WithMessage("provider must be auth0 or authentik.");
        }
    }
}
