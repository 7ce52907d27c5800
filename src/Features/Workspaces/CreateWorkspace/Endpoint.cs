namespace Gatehouse.Features.Workspaces.CreateWorkspace;

internal sealed class Endpoint(Db db) : Endpoint<Request, WorkspaceResponse>
{
    public override void Configure()
    {
        Post("workspaces");
        Description(b => b.ClearDefaultProduces(200).Produces<WorkspaceResponse>(201, "application/json"));
        Summary(s =>
        {
            s.Summary = "Create a workspace";
            s.Description = "The caller becomes its owner. The caller's active workspace does not change.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[201] = OpenApiExample.Of(WorkspaceResponse.Example);
            s.Responses[201] = "The new workspace.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await Send.ResponseAsync(await Data.CreateAsync(db, HttpContext.Auth(), request.Name, ct), StatusCodes.Status201Created, ct);
}
