using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Features.Audit;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Workspaces;

/// <summary>Leaving a workspace (RemoveMember on oneself) and DeleteWorkspace.</summary>
public sealed class LifecycleTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess? _there;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { if (_there is not null) await _there.DisposeAsync(); }

    private static string Workspace(Guid id) => $"/api/v1/workspaces/{id}";
    private static string Member(Guid workspace, Guid user) => $"/api/v1/workspaces/{workspace}/members/{user}";

    private Task<string> StateAsync(Guid workspace) => App.ScalarAsync<string>("""
        select coalesce((select string_agg(user_id::text || ':' || role, ',' order by user_id) from workspace_members where workspace_id = @workspace), '')
            || '|' || (select count(*) from workspaces where id = @workspace)::text
            || '|' || (select count(*) from api_keys where workspace_id = @workspace)::text
        """, new { workspace });

    private async Task<(Guid Workspace, string Key)> SecondWorkspaceWithKeyAsync(TestUser owner)
    {
        var created = await (await owner.PostAsync("/api/v1/workspaces", new { name = Unique.Name() })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var workspace = created.GetProperty("id").GetGuid();
        var key = await (await owner.Client(workspace).PostAsJsonAsync("/api/v1/api-keys", new { name = "doomed" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return (workspace, key.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task A_plain_member_leaves_and_records_one_member_removed_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");

        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await StateAsync(owner.WorkspaceId)).ShouldNotContain(member.Id.ToString());
        (await member.Client().GetAsync($"/api/v1/workspaces/{owner.WorkspaceId}/members")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var e = (await App.EventsAboutAsync(member.Id)).Where(e => e.Action == "member.removed").ShouldHaveSingleItem();
        e.ActorUserId.ShouldBe(member.Id);
        e.WorkspaceId.ShouldBe(owner.WorkspaceId);
    }

    [Fact]
    public async Task The_last_owner_cannot_leave_but_an_owner_with_a_co_owner_can()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await StateAsync(owner.WorkspaceId);

        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(owner.Id)).ShouldNotContain(e => e.Action == "member.removed");

        var coOwner = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(coOwner, "owner");
        (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        // The workspace and the keys made in it stay; the owner who left is no member.
        (await StateAsync(owner.WorkspaceId)).ShouldBe($"{coOwner.Id}:owner|1|1");
    }

    [Fact]
    public async Task Leaving_does_not_let_a_member_remove_anyone_else()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await owner.AddToMyWorkspaceAsync(other, "member");
        var before = await StateAsync(owner.WorkspaceId);

        await (await member.Client().DeleteAsync(Member(owner.WorkspaceId, other.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
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
        var key = await (await owner.PostAsync("/api/v1/api-keys", new { name = "leaked" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var before = await StateAsync(owner.WorkspaceId);

        (await App.Client().DeleteAsync(Workspace(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await admin.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await member.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client().DeleteAsync(Workspace(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client().DeleteAsync(Workspace(Guid.NewGuid()))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var viaKey = await App.Client(apiKey: key.GetProperty("key").GetString()).DeleteAsync(Workspace(owner.WorkspaceId));
        (await viaKey.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(owner.WorkspaceId)).ShouldNotContain(e => e.Action == "workspace.deleted");
    }

    [Fact]
    public async Task An_owner_deletes_a_workspace_with_its_members_invitations_and_keys_and_members_fall_back()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var (workspace, key) = await SecondWorkspaceWithKeyAsync(owner);
        await App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@workspace, @user, 'member')", new { workspace, user = member.Id });
        (await member.Client().PostAsJsonAsync("/api/v1/auth/set-active-workspace", new { workspace_id = workspace })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PostAsJsonAsync("/api/v1/auth/set-active-workspace", new { workspace_id = workspace })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client(workspace).PostAsJsonAsync($"/api/v1/workspaces/{workspace}/invitations", new { email = Unique.Email(), role = "member" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await App.Client(apiKey: key).GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await member.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync()).GetProperty("organization_id").GetGuid().ShouldBe(workspace);

        (await owner.Client().DeleteAsync(Workspace(workspace))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await StateAsync(workspace)).ShouldBe("|0|0");
        (await App.ScalarAsync<long>("select count(*) from invitations where workspace_id = @workspace", new { workspace })).ShouldBe(0);
        // At once on this instance: the key is unknown, and each member is back in their oldest membership.
        (await App.Client(apiKey: key).GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var me = await (await member.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(member.WorkspaceId);
        me.GetProperty("active_workspace_id").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await (await owner.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync()).GetProperty("organization_id").GetGuid().ShouldBe(owner.WorkspaceId);
        (await (await member.Client().GetAsync("/api/v1/workspaces")).ShouldBeOkJsonAsync()).EnumerateArray()
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
        var members = $"/api/v1/workspaces/{workspace}/members";
        (await _there.Client(apiKey: key).GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _there.Client(member.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await owner.Client().DeleteAsync(Workspace(workspace))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(apiKey: key).GetAsync("/api/v1/auth/me")).StatusCode == HttpStatusCode.Unauthorized);
        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(member.Token).GetAsync(members)).StatusCode == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_accepted_invitation_is_seen_on_another_instance_within_a_second()
    {
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));
        var owner = await TestUser.CreateAsync(App);
        var invitee = await TestUser.CreateAsync(App);
        var members = $"/api/v1/workspaces/{owner.WorkspaceId}/members";
        (await _there.Client(invitee.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var created = await (await owner.PostAsync($"/api/v1/workspaces/{owner.WorkspaceId}/invitations", new { email = invitee.Email, role = "member" }))
            .ShouldBeOkJsonAsync(HttpStatusCode.Created);

        (await invitee.Client().PostAsync($"/api/v1/auth/invitations/{created.GetProperty("id").GetGuid()}/accept", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(invitee.Token).GetAsync(members)).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_member_who_left_is_refused_on_another_instance_within_a_second()
    {
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var members = $"/api/v1/workspaces/{owner.WorkspaceId}/members";
        (await _there.Client(member.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(member.Token).GetAsync(members)).StatusCode == HttpStatusCode.Forbidden);
    }
}
