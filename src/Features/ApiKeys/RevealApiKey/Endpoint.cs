using Gatehouse.Infrastructure.Auth.Provisioning;

namespace Gatehouse.Features.ApiKeys.RevealApiKey;

// No request DTO: the id is in the route, and clients may POST an empty JSON body.
internal sealed class Endpoint(Db db, DefaultApiKeys defaultKeys) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Post("api-keys/{id:guid}/reveal");
        Policies(UserTokensOnly.Policy);
        Description(b => b.ProducesProblem(404).ProducesProblem(410).ProducesProblem(503));
        Summary(s =>
        {
            s.Summary = "Reveal the default API key, once";
            s.Description = "The key made at first login is kept sealed until this call shows it and erases it. " +
                "The sealed copy is erased only once it was unsealed.";
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The secret.";
            s.Responses[404] = "No key of the caller's has that id.";
            s.Responses[410] = "The key was revealed already, is revoked, or was never revealable.";
            s.Responses[503] = "The server cannot unseal the key now (its key ring lacks the key that sealed it); the sealed copy is kept.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var outcome = await Data.RevealAsync(db, defaultKeys, HttpContext.Auth(), id, ct);
        if (outcome is Data.Outcome.CannotUnseal)
            Logger.LogError("Default API key {KeyId} cannot be unsealed: the Data Protection key ring lacks the key that sealed it " +
                "(lost or replaced?) or the sealed copy is damaged. The sealed copy is kept.", id);
        await (outcome switch
        {
            Data.Outcome.Revealed revealed => Send.OkAsync(new Response { Key = revealed.Key }, ct),
            Data.Outcome.AlreadyRevealed => Send.ProblemAsync(410, "This key's secret was shown once already and is no longer kept."),
            Data.Outcome.NotFound => Send.ProblemAsync(404, "No API key of yours has that id."),
            // 503, not 500: nothing is wrong with the request or lost for good; the server lacks what it needs
            // (typically a key ring restored from backup brings it back), and the sealed copy waits for that.
            _ => Send.ProblemAsync(503, "The key's secret is kept but the server cannot unseal it right now. " +
                "Nothing was erased: try again later, or ask the operator to restore the Data Protection key ring."),
        });
    }
}
