using FastEndpoints;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.Workspaces.RemoveMember;

internal sealed class Endpoint(Db db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("workspaces/{workspace_id:guid}/members/{user_id:guid}");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("remove members");
        Description(b => b.ProducesProblem(404).ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Remove a member from a workspace";
            s.Description = "Owners and admins remove members; only owners remove owners. The last owner cannot be removed.";
            s.Responses[204] = "The member was removed.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace, or an admin tried to remove an owner.";
            s.Responses[404] = "That user is not a member of the workspace.";
            s.Responses[409] = "The member is the workspace's last owner.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var auth = HttpContext.Auth();

        await (await Data.RemoveAsync(db, auth, request.UserId, ct) switch
        {
            Data.Outcome.Removed => Send.NoContentAsync(ct),
            Data.Outcome.NotAMember => Send.ResultAsync(TypedResults.Problem("That user is not a member of this workspace.", statusCode: 404)),
            Data.Outcome.OwnersOnly => Send.ResultAsync(TypedResults.Problem("Only an owner can remove an owner.", statusCode: 403)),
            _ => Send.ResultAsync(TypedResults.Problem("A workspace needs at least one owner; make someone else owner first.", statusCode: 409)),
        });
    }
}
