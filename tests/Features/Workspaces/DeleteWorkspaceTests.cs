using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using DeleteWorkspace = Gatehouse.Features.Workspaces.DeleteWorkspace;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;
using ListWorkspaces = Gatehouse.Features.Workspaces.ListWorkspaces;
using SetActiveWorkspace = Gatehouse.Features.Workspaces.SetActiveWorkspace;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using CreateInvitation = Gatehouse.Features.Invitations.CreateInvitation;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class DeleteWorkspaceTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess? _there;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { if (_there is not null) await _there.DisposeAsync(); }

    private static string Workspace(Guid id) => Route.To<DeleteWorkspace.Endpoint>(new { workspace_id = id });
    private static string MeRoute => Route.To<Me.Endpoint>();

    private async Task<(Guid Workspace, string Key)> SecondWorkspaceWithKeyAsync(TestUser owner)
    {
        var created = await (await owner.PostAsync(Route.To<CreateWorkspace.Endpoint>(), new { name = Unique.Name() })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var workspace = created.GetProperty("id").GetGuid();
        var key = await (await owner.Client(workspace).PostAsJsonAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "doomed" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return (workspace, key.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task Delete_is_401_without_a_token_403_for_admins_members_outsiders_and_api_keys_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var outsider = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        await owner.AddToMyWorkspaceAsync(member, "member");
        var key = await owner.CreateApiKeyAsync(new { name = "leaked" });
        var before = await App.WorkspaceStateAsync(owner.WorkspaceId);

        (await App.Client().DeleteAsync(Workspace(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await admin.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await member.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client().DeleteAsync(Workspace(Guid.NewGuid()))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var viaKey = await App.Client(apiKey: key.GetProperty("key").GetString()).DeleteAsync(Workspace(owner.WorkspaceId));
        (await viaKey.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.WorkspaceStateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(owner.WorkspaceId)).ShouldNotContain(e => e.Action == "workspace.deleted");
    }

    [Fact]
    public async Task An_owner_deletes_a_workspace_with_its_members_invitations_and_keys_and_members_fall_back()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var (workspace, key) = await SecondWorkspaceWithKeyAsync(owner);
        await App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@workspace, @user, 'member')", new { workspace, user = member.Id });
        (await member.Client().PostAsJsonAsync(Route.To<SetActiveWorkspace.Endpoint>(), new { workspace_id = workspace })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PostAsJsonAsync(Route.To<SetActiveWorkspace.Endpoint>(), new { workspace_id = workspace })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client(workspace).PostAsJsonAsync(Route.To<CreateInvitation.Endpoint>(new { workspace_id = workspace }), new { email = Unique.Email(), role = "member" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await App.Client(apiKey: key).GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await member.Client().GetAsync(MeRoute)).ShouldBeOkJsonAsync()).GetProperty("organization_id").GetGuid().ShouldBe(workspace);

        (await owner.Client().DeleteAsync(Workspace(workspace))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.WorkspaceStateAsync(workspace)).ShouldBe("|0|0");
        (await App.ScalarAsync<long>("select count(*) from invitations where workspace_id = @workspace", new { workspace })).ShouldBe(0);
        // At once on this instance: the key is unknown, and each member is back in their oldest membership.
        (await App.Client(apiKey: key).GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var me = await (await member.Client().GetAsync(MeRoute)).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(member.WorkspaceId);
        me.GetProperty("active_workspace_id").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await (await owner.Client().GetAsync(MeRoute)).ShouldBeOkJsonAsync()).GetProperty("organization_id").GetGuid().ShouldBe(owner.WorkspaceId);
        (await (await member.Client().GetAsync(Route.To<ListWorkspaces.Endpoint>())).ShouldBeOkJsonAsync()).EnumerateArray()
            .Select(w => w.GetProperty("id").GetGuid()).ShouldNotContain(workspace);

        var deleted = (await App.EventsAboutAsync(workspace)).Where(e => e.Action == "workspace.deleted").ShouldHaveSingleItem();
        deleted.ActorUserId.ShouldBe(owner.Id);
        deleted.WorkspaceId.ShouldBe(workspace);
        await (await owner.Client().DeleteAsync(Workspace(workspace))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_deleted_workspaces_keys_and_memberships_stop_working_on_another_instance_within_a_second()
    {
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var (workspace, key) = await SecondWorkspaceWithKeyAsync(owner);
        await App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@workspace, @user, 'member')", new { workspace, user = member.Id });
        var members = Route.To<ListMembers.Endpoint>(new { workspace_id = workspace });
        (await _there.Client(apiKey: key).GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _there.Client(member.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await owner.Client().DeleteAsync(Workspace(workspace))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(apiKey: key).GetAsync(MeRoute)).StatusCode == HttpStatusCode.Unauthorized);
        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(member.Token).GetAsync(members)).StatusCode == HttpStatusCode.Forbidden);
    }
}
