namespace Gatehouse.Features.ApiKeys.ListApiKeys;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest<List<Response>>
{
    public override void Configure()
    {
        Get("api-keys");
        Summary(s =>
        {
            s.Summary = "The caller's API keys in the request's workspace";
            s.Description = "Keys that are not revoked, without secrets.";
            s.ResponseExamples[200] = OpenApiExample.Of(new[] { ListApiKeys.Response.Example });
            s.Responses[200] = "The keys.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), ct), ct);
}
