using Gatehouse.Features.Workspaces;

namespace Gatehouse.Features.Invitations.CreateInvitation;

internal sealed class Endpoint(Db db, InvitationSettings settings) : Endpoint<Request, InvitationResponse>
{
    public override void Configure()
    {
        Post("workspaces/{workspace_id:guid}/invitations");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("invite people");
        Description(b => b.ClearDefaultProduces(200).Produces<InvitationResponse>(201, "application/json").ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Invite someone to a workspace";
            s.Description = "Owners and admins invite an email address, as admin or member. Whoever signs in with that address " +
                            "verified can accept until the invitation expires (INVITATION_TTL_DAYS, default 7).";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[201] = OpenApiExample.Of(InvitationResponse.Example);
            s.Responses[201] = "The new invitation.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace.";
            s.Responses[409] = "That address already has a pending invitation here, or a member has it verified.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await (await Data.CreateAsync(db, HttpContext.Auth(), request, settings.TtlDays, ct) switch
        {
            Data.Outcome.Created created => Send.ResponseAsync(created.Invitation, StatusCodes.Status201Created, ct),
            Data.Outcome.AlreadyMember => Send.ProblemAsync(409, "A member of this workspace already has that verified email."),
            _ => Send.ProblemAsync(409, "That address already has a pending invitation to this workspace."),
        });
    }
}
