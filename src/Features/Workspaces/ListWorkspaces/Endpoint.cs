namespace Gatehouse.Features.Workspaces.ListWorkspaces;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest<List<WorkspaceResponse>>
{
    public override void Configure()
    {
        Get("workspaces");
        Summary(s =>
        {
            s.Summary = "The caller's workspaces";
            s.Description = "Every workspace the caller is a member of, with the caller's role, oldest membership first.";
            s.ResponseExamples[200] = OpenApiExample.Of(new[] { WorkspaceResponse.Example });
            s.Responses[200] = "The caller's workspaces.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), ct), ct);
}
