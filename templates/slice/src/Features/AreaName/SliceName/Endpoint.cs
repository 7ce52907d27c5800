namespace Gatehouse.Features.AreaName.SliceName;

internal sealed class Endpoint(Db db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        // The folder name is the OpenAPI operation id. The request's workspace is the route's
        // workspaces/{workspace_id:guid}/… when it has one, else the X-Workspace-ID header's or the
        // caller's active one; the auth context's membership check (403) comes with it.
        Post("area-route/slice-route");
        // Access is declared, one line per rule, never coded in HandleAsync. Protected (401) unless
        // AllowAnonymous(); Permissions(…) for a permission; Policies(UserTokensOnly.Policy) for what a
        // leaked API key must not do; owners and admins only:
        Definition.WorkspaceManagersOnly("look up members");
        Description(b => b.ProducesProblem(404));
        Summary(s =>
        {
            s.Summary = "SliceName: a member's role in the request's workspace";
            s.Description = "Owners and admins look up the role of one member of the workspace the request runs in.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The member and their role.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace.";
            s.Responses[404] = "That user is not a member of the workspace.";
        });
    }

    // Read the auth context, call Data, send: one answer per outcome; a failure a client may show is a
    // problem with a clear detail.
    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await (await Data.FindAsync(db, HttpContext.Auth(), request.UserId, ct) switch
        {
            Data.Outcome.Found found => Send.OkAsync(found.Member, ct),
            _ => Send.ProblemAsync(404, "That user is not a member of this workspace."),
        });
}
