namespace Gatehouse.Features.Audit.ListWorkspaceAudit;

internal sealed class Endpoint(Db db) : Endpoint<Request, AuditPage>
{
    public override void Configure()
    {
        Get("workspaces/{workspace_id:guid}/audit");
        // Row-level security would show a member nothing; the rule says so instead of an empty page.
        Definition.WorkspaceManagersOnly("read the audit trail");
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
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), request.Limit ?? Paging.DefaultLimit, request.After, ct), ct);
    }
}
