namespace Gatehouse.Features.Auth.Config;

/// <summary>What a single-page app needs to start a login: public values only, derived from configuration.</summary>
internal sealed class Endpoint(AuthSettings settings) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("auth/config");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Login configuration for single-page apps";
            s.Description = "The configured identity providers with their public client ids, audiences and endpoints. Never contains a secret.";
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The login configuration.";
        });
    }

    public override Task HandleAsync(CancellationToken ct)
    {
        var first = settings.Providers.FirstOrDefault();
        return Send.OkAsync(new Response
        {
            Enabled = settings.Enabled,
            Domain = first?.Domain ?? "",
            ClientId = first?.ClientId ?? "",
            Audience = first?.Audience ?? "",
            Providers = settings.Providers.Select(p => new Response.Provider
            {
                Name = p.Name,
                Issuer = p.Issuer,
                ClientId = p.ClientId,
                Audience = p.Audience,
                AuthorizationEndpoint = p.AuthorizationEndpoint,
                EndSessionEndpoint = p.EndSessionEndpoint,
            }).ToList(),
        }, ct);
    }
}
