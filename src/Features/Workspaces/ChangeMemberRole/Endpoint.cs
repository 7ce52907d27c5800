namespace Gatehouse.Features.Workspaces.ChangeMemberRole;

internal sealed class Endpoint(Db db) : Endpoint<Request, MemberResponse>
{
    public override void Configure()
    {
        Patch("workspaces/{workspace_id:guid}/members/{user_id:guid}");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("change roles");
        Description(b => b.ProducesProblem(404).ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Change a member's role";
            s.Description = "Owners and admins change roles; only owners grant or take away ownership. The last owner cannot be demoted.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(MemberResponse.Example);
            s.Responses[200] = "The member with the new role.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace, or an admin touched ownership.";
            s.Responses[404] = "That user is not a member of the workspace.";
            s.Responses[409] = "The change would leave the workspace without an owner.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await (await Data.ChangeAsync(db, HttpContext.Auth(), request.UserId, request.Role!.Value, ct) switch
        {
            Data.Outcome.Changed changed => Send.OkAsync(changed.Member, ct),
            Data.Outcome.NotAMember => Send.ProblemAsync(404, "That user is not a member of this workspace."),
            Data.Outcome.OwnersOnly => Send.ProblemAsync(403, "Only an owner can grant or take away ownership."),
            _ => Send.ProblemAsync(409, "A workspace needs at least one owner; make someone else owner first."),
        });
    }
}
