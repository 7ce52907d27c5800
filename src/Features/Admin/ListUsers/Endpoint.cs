namespace Gatehouse.Features.Admin.ListUsers;

internal sealed class Endpoint(Db db, AuthSettings settings) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("admin/users");
        Permissions(settings.AdminPermission);
        Summary(s =>
        {
            s.Summary = "All users, a page at a time";
            s.Description = "Needs the ADMIN_PERMISSION permission (default admin:access) in the token's permissions, scope or groups.";
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "A page of users.";
            s.Responses[403] = "The credential lacks the admin permission.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), request.Limit ?? Paging.DefaultLimit, request.After, ct), ct);
}
