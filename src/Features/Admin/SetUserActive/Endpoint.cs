namespace Gatehouse.Features.Admin.SetUserActive;

internal sealed class Endpoint(Db db, AuthSettings settings) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Patch("admin/users/{id:guid}");
        Permissions(settings.AdminPermission);
        Description(b => b.ProducesProblem(404).ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Disable or enable a user";
            s.Description = "Needs the ADMIN_PERMISSION permission (default admin:access). A disabled user's tokens and " +
                "API keys are refused with 403 from the next request on. An admin cannot disable themselves.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(Response.Example);
            s.Responses[200] = "The user, as the admin listing shows them.";
            s.Responses[400] = "is_active is missing or not true or false, or the body has another member.";
            s.Responses[403] = "The credential lacks the admin permission.";
            s.Responses[404] = "There is no such user.";
            s.Responses[409] = "The caller tried to disable themselves.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var auth = HttpContext.Auth();
        // Locking oneself out would leave nobody able to undo it through this credential.
        if (request.Id == auth.UserId && request.IsActive == false)
        {
            await Send.ProblemAsync(409, "You cannot disable your own account.");
            return;
        }

        await (await Data.SetAsync(db, auth, request.Id, request.IsActive!.Value, ct) switch
        {
            Data.Outcome.Changed changed => Send.OkAsync(changed.User, ct),
            _ => Send.ProblemAsync(404, "There is no user with that id."),
        });
    }
}
