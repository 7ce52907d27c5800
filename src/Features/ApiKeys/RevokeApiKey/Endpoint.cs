namespace Gatehouse.Features.ApiKeys.RevokeApiKey;

internal sealed class Endpoint(Db db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("api-keys/{id:guid}");
        Description(b => b.ProducesProblem(404));
        Summary(s =>
        {
            s.Summary = "Revoke an API key";
            s.Description = "The key stops working at once. Revoking a revoked key again is a no-op.";
            s.Responses[204] = "The key is revoked.";
            s.Responses[404] = "No key of the caller's has that id.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await (await Data.RevokeAsync(db, HttpContext.Auth(), request.Id, ct) switch
        {
            Data.Outcome.Revoked => Send.NoContentAsync(ct),
            _ => Send.ProblemAsync(404, "No API key of yours has that id."),
        });
}
