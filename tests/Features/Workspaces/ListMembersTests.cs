using System.Net;
using Gatehouse.Tests.Support;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class ListMembersTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Members(Guid workspace) => Route.To<ListMembers.Endpoint>(new { workspace_id = workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().GetAsync(Members(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Members_are_listed_for_members_only()
    {
        var owner = await TestUser.CreateAsync(App, "Owner Person");
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");

        var list = await (await member.Client().GetAsync(Members(owner.WorkspaceId))).ShouldBeOkJsonAsync();
        list.EnumerateArray().Select(m => (m.GetProperty("user_id").GetGuid(), m.GetProperty("role").GetString()))
            .ShouldBe([(owner.Id, "owner"), (member.Id, "member")], ignoreOrder: true);
        list.EnumerateArray().First(m => m.GetProperty("user_id").GetGuid() == owner.Id).GetProperty("full_name").GetString().ShouldBe("Owner Person");

        var outsider = await TestUser.CreateAsync(App);
        await (await outsider.Client().GetAsync(Members(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client().GetAsync(Members(Guid.NewGuid()))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Route_workspace_wins_over_the_header()
    {
        var owner = await TestUser.CreateAsync(App);
        var outsider = await TestUser.CreateAsync(App);
        // The header names the outsider's own workspace; the route names one they are not in.
        var response = await outsider.Client(workspace: outsider.WorkspaceId).GetAsync(Members(owner.WorkspaceId));
        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
