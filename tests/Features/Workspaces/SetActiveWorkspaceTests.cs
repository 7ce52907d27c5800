using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;
using SetActiveWorkspace = Gatehouse.Features.Workspaces.SetActiveWorkspace;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class SetActiveWorkspaceTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string SetActive => Route.To<SetActiveWorkspace.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().PostAsJsonAsync(SetActive, new { workspace_id = Guid.NewGuid() })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Set_active_workspace_switches_the_default_workspace_of_later_requests()
    {
        var user = await TestUser.CreateAsync(App);
        var second = (await (await user.PostAsync(Route.To<CreateWorkspace.Endpoint>(), new { name = "Second" })).ShouldBeOkJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var result = await (await user.PostAsync(SetActive, new { workspace_id = second })).ShouldBeOkJsonAsync();

        result.GetProperty("ok").GetBoolean().ShouldBeTrue();
        result.GetProperty("active_workspace").GetGuid().ShouldBe(second);
        var me = await (await user.Client().GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(second);
    }

    [Fact]
    public async Task Set_active_workspace_to_a_foreign_or_nonexistent_workspace_is_403_and_changes_nothing()
    {
        var user = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);

        await (await user.PostAsync(SetActive, new { workspace_id = other.WorkspaceId })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await user.PostAsync(SetActive, new { workspace_id = Guid.NewGuid() })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await App.ScalarAsync<Guid>("select active_workspace_id from users where id = @id", new { id = user.Id })).ShouldBe(user.WorkspaceId);
    }

    [Fact]
    public async Task Set_active_workspace_without_an_id_is_400()
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.PostAsync(SetActive, new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("workspace_id", out _).ShouldBeTrue();
    }
}
