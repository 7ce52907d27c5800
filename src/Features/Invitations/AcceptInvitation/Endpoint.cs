using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.AcceptInvitation;

// No request DTO: the id is in the route, and clients may POST an empty JSON body.
internal sealed class Endpoint(Db db) : EndpointWithoutRequest<WorkspaceResponse>
{
    public override void Configure()
    {
        Post("auth/invitations/{invitation_id:guid}/accept");
        Policies(UserTokensOnly.Policy);
        Description(b => b.ProducesProblem(403).ProducesProblem(404));
        Summary(s =>
        {
            s.Summary = "Accept an invitation";
            s.Description = "The caller joins the workspace with the invited role. A caller who already is a member keeps " +
                            "the role they have (roles change through ChangeMemberRole), and the invitation is used up. " +
                            "The caller's active workspace does not change.";
            s.ResponseExamples[200] = OpenApiExample.Of(WorkspaceResponse.Example);
            s.Responses[200] = "The workspace, with the caller's role in it.";
            s.Responses[404] = "No pending invitation with that id is addressed to the caller's verified email (someone else's, expired or used).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await (await Data.AcceptAsync(db, HttpContext.Auth(), Route<Guid>("invitation_id"), ct) switch
        {
            Data.Outcome.Accepted accepted => Send.OkAsync(accepted.Workspace, ct),
            _ => Send.ProblemAsync(404, "You have no pending invitation with that id."),
        });
}
