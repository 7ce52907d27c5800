namespace Gatehouse.Features.Workspaces.DeleteWorkspace;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest
{
    private const string OwnersOnly = "Only an owner can delete a workspace.";

    public override void Configure()
    {
        Delete("workspaces/{workspace_id:guid}");
        Policies(UserTokensOnly.Policy);
        // Its 403 is the API-key refusal alone: declared with its problem body.
        Description(b => b.ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "Delete a workspace";
            s.Description = "Owners delete the workspace with its memberships, invitations and API keys; those keys stop " +
                            "working at once. Members who had it active fall back to their oldest remaining membership.";
            s.Responses[204] = "The workspace is gone.";
            s.Responses[403] = "The caller is not an owner of that workspace.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await (await Data.DeleteAsync(db, HttpContext.Auth(), ct) switch
        {
            Data.Outcome.Deleted => Send.NoContentAsync(ct),
            _ => Send.ProblemAsync(403, OwnersOnly),
        });
}
