using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;
using ListWorkspaces = Gatehouse.Features.Workspaces.ListWorkspaces;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class CreateWorkspaceTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Workspaces => Route.To<CreateWorkspace.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().PostAsJsonAsync(Workspaces, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("this name is far too long for a workspace because it goes on and on well past the hundred character limit!")]
    public async Task Create_with_an_invalid_name_is_400_and_creates_nothing(string name)
    {
        var user = await TestUser.CreateAsync(App);
        var response = await user.PostAsync(Workspaces, new { name });
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue();
        (await App.ScalarAsync<int>("select count(*) from workspace_members where user_id = @id", new { id = user.Id })).ShouldBe(1);
    }

    [Fact]
    public async Task Create_makes_the_caller_owner_lists_it_and_leaves_the_active_workspace_alone()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync(Workspaces, new { name = "  Engines  " })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        created.GetProperty("name").GetString().ShouldBe("Engines");
        created.GetProperty("role").GetString().ShouldBe("owner");
        var id = created.GetProperty("id").GetGuid();

        var list = await (await user.Client().GetAsync(Route.To<ListWorkspaces.Endpoint>())).ShouldBeOkJsonAsync();
        list.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()).ShouldBe([user.WorkspaceId, id]);
        list.EnumerateArray().ShouldAllBe(w => w.GetProperty("role").GetString() == "owner");

        var me = await (await user.Client().GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();
        me.GetProperty("active_workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
    }
}
