using System.Net;
using Gatehouse.Tests.Support;
using ListWorkspaces = Gatehouse.Features.Workspaces.ListWorkspaces;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class ListWorkspacesTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Workspaces => Route.To<ListWorkspaces.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().GetAsync(Workspaces)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_list_holds_only_the_callers_memberships()
    {
        var user = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var list = await (await user.Client().GetAsync(Workspaces)).ShouldBeOkJsonAsync();
        list.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()).ShouldNotContain(other.WorkspaceId);
    }
}
