using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.ListInvitations;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest<List<InvitationResponse>>
{
    public override void Configure()
    {
        Get("workspaces/{workspace_id:guid}/invitations");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("see invitations");
        Summary(s =>
        {
            s.Summary = "Pending invitations of a workspace";
            s.Description = "Owners and admins see the invitations that are neither accepted, declined, revoked nor expired, oldest first.";
            s.ResponseExamples[200] = OpenApiExample.Of(new[] { InvitationResponse.Example });
            s.Responses[200] = "The pending invitations.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), ct), ct);
    }
}
