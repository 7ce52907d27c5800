namespace Gatehouse.Features.Audit.ListAllAudit;

internal sealed class Endpoint(Db db, AuthSettings settings) : Endpoint<Request, AuditPage>
{
    public override void Configure()
    {
        Get("admin/audit");
        Permissions(settings.AdminPermission);
        Summary(s =>
        {
            s.Summary = "The whole audit trail, newest first";
            s.Description = "Needs the ADMIN_PERMISSION permission (default admin:access). Filters: action, actor_user_id.";
            s.ResponseExamples[200] = OpenApiExample.Of(AuditPage.Example);
            s.Responses[200] = "A page of events.";
            s.Responses[403] = "The credential lacks the admin permission.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), request, ct), ct);
}
