using FastEndpoints;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.Web;

namespace Gatehouse.Features.AreaName.SliceName;

internal sealed class Endpoint(Db db) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        // The folder name is the OpenAPI operation id. Under workspaces/{workspace_id:guid}/ the
        // membership check (403) comes with the route.
        Post("area-route/slice-route");
        // Access: protected (401) unless AllowAnonymous(). A rule of this slice's own is one line here,
        // never code in HandleAsync: Permissions(…), Policies(UserTokensOnly.Policy) for what a leaked
        // API key must not do, Definition.WorkspaceManagersOnly("…") for owners and admins.
        Summary(s =>
        {
            s.Summary = "SliceName in the request's workspace";
            s.Description = "Echoes a name with the name of the workspace the request runs in.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The name and the workspace's name.";
            s.Responses[400] = "A field is invalid.";
            s.Responses[404] = "The caller is in no workspace.";
        });
        Description(b => b.ProducesProblem(404));
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        // A failure a client may show is a problem with a clear detail; one exit per branch.
        if (await Data.RunAsync(db, HttpContext.Auth(), request, ct) is not { } response)
        {
            await Send.ResultAsync(TypedResults.Problem("You are in no workspace.", statusCode: 404));
            return;
        }
        await Send.OkAsync(response, ct);
    }
}
