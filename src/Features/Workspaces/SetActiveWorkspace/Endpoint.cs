namespace Gatehouse.Features.Workspaces.SetActiveWorkspace;

internal sealed class Endpoint(Db db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("auth/set-active-workspace");
        Description(b => b.ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "Choose the caller's active workspace";
            s.Description = "Requests without an X-Workspace-ID header run in the active workspace.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The active workspace was set.";
            s.Responses[403] = "The caller is not a member of that workspace (or it does not exist).";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await (await Data.SetAsync(db, HttpContext.Auth(), request.WorkspaceId, ct) switch
        {
            Data.Outcome.Set => Send.OkAsync(new Response { Ok = true, ActiveWorkspace = request.WorkspaceId }, ct),
            _ => Send.ProblemAsync(403, $"You are not a member of workspace {request.WorkspaceId}."),
        });
}
