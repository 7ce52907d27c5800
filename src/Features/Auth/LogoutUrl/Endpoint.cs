using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Features.Auth.LogoutUrl;

/// <summary>Builds the identity provider's logout URL; return_to must be allow-listed (no open redirects).</summary>
internal sealed class Endpoint(AuthSettings settings) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("auth/logout");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "The identity provider's logout URL";
            s.Description = "Auth0: {issuer}v2/logout with client_id and returnTo. Authentik: the provider's end-session endpoint with " +
                "post_logout_redirect_uri. return_to defaults to AUTH0_LOGOUT_REDIRECT_URL and must match it or an entry of " +
                "LOGOUT_REDIRECT_ALLOWLIST exactly.";
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The logout URL.";
            s.Responses[400] = "Unknown or unconfigured provider, or a return_to that is not allow-listed.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (settings.Providers.Count == 0)
        {
            await Send.OkAsync(new Response(), ct);
            return;
        }

        var provider = request.Provider is null
            ? settings.Providers[0]
            : settings.Providers.FirstOrDefault(p => p.Name == request.Provider);
        if (provider is null)
            AddError(r => r.Provider, $"{request.Provider} is not configured here.");

        var returnTo = request.ReturnTo ?? settings.Auth0LogoutRedirectUrl;
        if (returnTo is not null && returnTo != settings.Auth0LogoutRedirectUrl && !settings.LogoutAllowlist.Contains(returnTo, StringComparer.Ordinal))
            AddError(r => r.ReturnTo, "return_to must be AUTH0_LOGOUT_REDIRECT_URL or an entry of LOGOUT_REDIRECT_ALLOWLIST.");
        ThrowIfAnyErrors();

        var query = new Dictionary<string, string?>();
        if (provider!.Kind == ProviderKind.Auth0)
        {
            query["client_id"] = provider.ClientId;
            if (returnTo is not null) query["returnTo"] = returnTo;
        }
        else
        {
            if (provider.ClientId.Length > 0) query["client_id"] = provider.ClientId;
            if (returnTo is not null) query["post_logout_redirect_uri"] = returnTo;
        }
        await Send.OkAsync(new Response { LogoutUrl = QueryHelpers.AddQueryString(provider.EndSessionEndpoint, query) }, ct);
    }
}
