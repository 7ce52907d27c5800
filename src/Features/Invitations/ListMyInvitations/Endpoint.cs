namespace Gatehouse.Features.Invitations.ListMyInvitations;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest<List<Response>>
{
    public override void Configure()
    {
        Get("auth/invitations");
        Policies(UserTokensOnly.Policy);
        // Its 403 is the API-key refusal alone: declared with its problem body.
        Description(b => b.ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "The caller's pending invitations";
            s.Description = "Pending, unexpired invitations addressed to the caller's email (case-insensitive), " +
                            "only while the identity provider says that email is verified; an unverified email sees none.";
            s.ResponseExamples[200] = OpenApiExample.Of(new[] { ListMyInvitations.Response.Example });
            s.Responses[200] = "The caller's pending invitations, oldest first.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), ct), ct);
}
