using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Workspaces;

/// <summary>ListWorkspaces, CreateWorkspace and SetActiveWorkspace.</summary>
public sealed class WorkspacesTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task Missing_token_is_401_on_every_workspace_route()
    {
        var client = App.Client();
        (await client.GetAsync("/api/v1/workspaces")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostAsJsonAsync("/api/v1/workspaces", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostAsJsonAsync("/api/v1/auth/set-active-workspace", new { workspace_id = Guid.NewGuid() })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("this name is far too long for a workspace because it goes on and on well past the hundred character limit!")]
    public async Task Create_with_an_invalid_name_is_400_and_creates_nothing(string name)
    {
        var user = await TestUser.CreateAsync(App);
        var response = await user.PostAsync("/api/v1/workspaces", new { name });
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue();
        (await App.ScalarAsync<int>("select count(*) from workspace_members where user_id = @id", new { id = user.Id })).ShouldBe(1);
    }

    [Fact]
    public async Task Create_makes_the_caller_owner_lists_it_and_leaves_the_active_workspace_alone()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync("/api/v1/workspaces", new { name = "  Engines  " })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        created.GetProperty("name").GetString().ShouldBe("Engines");
        created.GetProperty("role").GetString().ShouldBe("owner");
        var id = created.GetProperty("id").GetGuid();

        var list = await (await user.Client().GetAsync("/api/v1/workspaces")).ShouldBeOkJsonAsync();
        list.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()).ShouldBe([user.WorkspaceId, id]);
        list.EnumerateArray().ShouldAllBe(w => w.GetProperty("role").GetString() == "owner");

        var me = await (await user.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        me.GetProperty("active_workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
    }

    [Fact]
    public async Task The_list_holds_only_the_callers_memberships()
    {
        var user = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var list = await (await user.Client().GetAsync("/api/v1/workspaces")).ShouldBeOkJsonAsync();
        list.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()).ShouldNotContain(other.WorkspaceId);
    }

    [Fact]
    public async Task Set_active_workspace_switches_the_default_workspace_of_later_requests()
    {
        var user = await TestUser.CreateAsync(App);
        var second = (await (await user.PostAsync("/api/v1/workspaces", new { name = "Second" })).ShouldBeOkJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var result = await (await user.PostAsync("/api/v1/auth/set-active-workspace", new { workspace_id = second })).ShouldBeOkJsonAsync();

        result.GetProperty("ok").GetBoolean().ShouldBeTrue();
        result.GetProperty("active_workspace").GetGuid().ShouldBe(second);
        var me = await (await user.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(second);
    }

    [Fact]
    public async Task Set_active_workspace_to_a_foreign_or_nonexistent_workspace_is_403_and_changes_nothing()
    {
        var user = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);

        await (await user.PostAsync("/api/v1/auth/set-active-workspace", new { workspace_id = other.WorkspaceId }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await user.PostAsync("/api/v1/auth/set-active-workspace", new { workspace_id = Guid.NewGuid() }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await App.ScalarAsync<Guid>("select active_workspace_id from users where id = @id", new { id = user.Id })).ShouldBe(user.WorkspaceId);
    }

    [Fact]
    public async Task Set_active_workspace_without_an_id_is_400()
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.PostAsync("/api/v1/auth/set-active-workspace", new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("workspace_id", out _).ShouldBeTrue();
    }
}
