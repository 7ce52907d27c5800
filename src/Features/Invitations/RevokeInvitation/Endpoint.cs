using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.RevokeInvitation;

internal sealed class Endpoint(Db db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("workspaces/{workspace_id:guid}/invitations/{invitation_id:guid}");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("revoke invitations");
        Description(b => b.ProducesProblem(404));
        Summary(s =>
        {
            s.Summary = "Revoke an invitation";
            s.Description = "Owners and admins revoke a pending invitation; it can no longer be accepted.";
            s.Responses[204] = "The invitation is revoked.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace.";
            s.Responses[404] = "The workspace has no pending invitation with that id.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct) =>
        await (await Data.RevokeAsync(db, HttpContext.Auth(), request.InvitationId, ct) switch
        {
            Data.Outcome.Revoked => Send.NoContentAsync(ct),
            _ => Send.ProblemAsync(404, "This workspace has no pending invitation with that id."),
        });
}
