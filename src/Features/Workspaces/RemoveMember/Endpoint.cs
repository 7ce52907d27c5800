namespace Gatehouse.Features.Workspaces.RemoveMember;

internal sealed class Endpoint(Db db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("workspaces/{workspace_id:guid}/members/{user_id:guid}");
        Policies(UserTokensOnly.Policy);
        // Leaving: anyone may remove themselves; removing someone else takes an owner or admin.
        Definition.WorkspaceManagersOnly("remove members", exceptOwnUser: "user_id");
        Description(b => b.ProducesProblem(404).ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Remove a member from a workspace, or leave it";
            s.Description = "Owners and admins remove members; only owners remove owners. Any member may remove themselves (leave). " +
                            "The last owner can be neither removed nor leave.";
            s.Responses[204] = "The member was removed (or left).";
            s.Responses[403] = "The caller, removing someone else, is not an owner or admin of that workspace, or an admin tried to remove an owner.";
            s.Responses[404] = "That user is not a member of the workspace.";
            s.Responses[409] = "The member (or the caller leaving) is the workspace's last owner.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await (await Data.RemoveAsync(db, HttpContext.Auth(), request.UserId, ct) switch
        {
            Data.Outcome.Removed => Send.NoContentAsync(ct),
            Data.Outcome.NotAMember => Send.ProblemAsync(404, "That user is not a member of this workspace."),
            Data.Outcome.OwnersOnly => Send.ProblemAsync(403, "Only an owner can remove an owner."),
            _ => Send.ProblemAsync(409, "A workspace needs at least one owner; make someone else owner first."),
        });
    }
}
