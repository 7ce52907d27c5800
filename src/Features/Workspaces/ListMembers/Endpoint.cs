namespace Gatehouse.Features.Workspaces.ListMembers;

internal sealed class Endpoint(Db db) : EndpointWithoutRequest<List<MemberResponse>>
{
    public override void Configure()
    {
        Get("workspaces/{workspace_id:guid}/members");
        Summary(s =>
        {
            s.Summary = "Members of a workspace";
            s.Description = "Any member may list the workspace's members.";
            s.ResponseExamples[200] = OpenApiExample.Of(new[] { MemberResponse.Example });
            s.Responses[200] = "The members.";
            s.Responses[403] = "The caller is not a member of that workspace (or it does not exist).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await Data.ListAsync(db, HttpContext.Auth(), ct), ct);
}
