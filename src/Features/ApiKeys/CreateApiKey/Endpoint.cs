namespace Gatehouse.Features.ApiKeys.CreateApiKey;

internal sealed class Endpoint(Db db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("api-keys");
        Policies(UserTokensOnly.Policy);
        Description(b => b.ClearDefaultProduces(200).Produces<Response>(201, "application/json"));
        Summary(s =>
        {
            s.Summary = "Create an API key";
            s.Description = "A key for the request's workspace, acting as the caller. The key is in this response only; " +
                "Gatehouse keeps its hash. A request authenticated by an API key cannot create keys.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[201] = OpenApiExample.Of(Response.Example);
            s.Responses[201] = "The new key, with its secret.";
            s.Responses[403] = "The request runs in no workspace.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var auth = HttpContext.Auth();
        if (auth.WorkspaceId is null)
        {
            await Send.ProblemAsync(403, "The request runs in no workspace; create or join one first.");
            return;
        }
        await Send.ResponseAsync(await Data.CreateAsync(db, auth, request, ct), StatusCodes.Status201Created, ct);
    }
}
