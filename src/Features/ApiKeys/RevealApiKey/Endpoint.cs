using FastEndpoints;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.Web;

namespace Gatehouse.Features.ApiKeys.RevealApiKey;

// No request DTO: the id is in the route, and clients may POST an empty JSON body.
internal sealed class Endpoint(Db db, DefaultApiKeys defaultKeys) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Post("api-keys/{id:guid}/reveal");
        Policies(UserTokensOnly.Policy);
        Description(b => b.ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(410));
        Summary(s =>
        {
            s.Summary = "Reveal the default API key, once";
            s.Description = "The key made at first login is kept sealed until this call shows it and erases it.";
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The secret.";
            s.Responses[404] = "No key of the caller's has that id.";
            s.Responses[410] = "The key was revealed already, is revoked, or was never revealable.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var auth = HttpContext.Auth();
        var (sealedKey, exists) = await Data.TakeAsync(db, auth, Route<Guid>("id"), ct);
        if (sealedKey is null)
        {
            await Send.ResultAsync(exists
                ? TypedResults.Problem("This key's secret was shown once already and is no longer kept.", statusCode: 410)
                : TypedResults.Problem("No API key of yours has that id.", statusCode: 404));
            return;
        }
        await Send.OkAsync(new Response { Key = defaultKeys.Unseal(sealedKey) }, ct);
    }
}
