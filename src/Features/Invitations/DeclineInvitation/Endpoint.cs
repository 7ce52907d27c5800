namespace Gatehouse.Features.Invitations.DeclineInvitation;

// No request DTO: the id is in the route, and clients may POST an empty JSON body.
internal sealed class Endpoint(Db db) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("auth/invitations/{invitation_id:guid}/decline");
        Policies(UserTokensOnly.Policy);
        Description(b => b.ProducesProblem(403).ProducesProblem(404));
        Summary(s =>
        {
            s.Summary = "Decline an invitation";
            s.Description = "The invitation is used up; the workspace's owners and admins no longer see it as pending.";
            s.Responses[204] = "The invitation is declined.";
            s.Responses[404] = "No pending invitation with that id is addressed to the caller's verified email (someone else's, expired or used).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await (await Data.DeclineAsync(db, HttpContext.Auth(), Route<Guid>("invitation_id"), ct) switch
        {
            Data.Outcome.Declined => Send.NoContentAsync(ct),
            _ => Send.ProblemAsync(404, "You have no pending invitation with that id."),
        });
}
