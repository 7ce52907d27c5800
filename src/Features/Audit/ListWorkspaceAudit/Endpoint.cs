using FastEndpoints;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Infrastructure.Web;

namespace Gatehouse.Features.Audit.ListWorkspaceAudit;

internal sealed class Endpoint(Db db) : Endpoint<Request, AuditPage>
{
    public override void Configure()
    {
        Get("workspaces/{workspace_id:guid}/audit");
        Description(b => b.ProducesProblem(401).ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "The workspace's audit trail, newest first";
            s.Description = "Owners and admins of the workspace read who changed what in it, a page at a time.";
            s.ResponseExamples[200] = OpenApiExample.Of(AuditPage.Example);
            s.Responses[200] = "A page of events.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace (or it does not exist).";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var auth = HttpContext.Auth();
        // Row-level security would show a member nothing; say so instead of an empty page.
        if (auth.Role is not ("owner" or "admin"))
        {
            await Send.ResultAsync(TypedResults.Problem("Only owners and admins can read the audit trail.", statusCode: 403));
            return;
        }
        await Send.OkAsync(await Data.ListAsync(db, auth, request.Limit ?? 50, request.After, ct), ct);
    }
}
