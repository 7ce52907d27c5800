using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using RemoveMember = Gatehouse.Features.Workspaces.RemoveMember;
using SetActiveWorkspace = Gatehouse.Features.Workspaces.SetActiveWorkspace;
using Me = Gatehouse.Features.Profile.Me;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class RemoveMemberTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess? _there;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { if (_there is not null) await _there.DisposeAsync(); }

    private static string Members(Guid workspace) => Route.To<ListMembers.Endpoint>(new { workspace_id = workspace });
    private static string Member(Guid workspace, Guid user) => Route.To<RemoveMember.Endpoint>(new { workspace_id = workspace, user_id = user });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_admin_removes_a_member()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        await owner.AddToMyWorkspaceAsync(member, "member");

        (await admin.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldNotContain(member.Id.ToString());
    }

    [Fact]
    public async Task An_owners_api_key_cannot_remove_members_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var viaKey = await owner.ApiKeyClientAsync();
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await viaKey.DeleteAsync(Member(owner.WorkspaceId, member.Id))).ShouldBeRefusedForApiKeysAsync();
        await (await viaKey.DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeRefusedForApiKeysAsync();

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_removal_by_a_member_is_403_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await member.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admin_cannot_remove_an_owner()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await admin.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_user_who_is_not_a_member_is_404()
    {
        var owner = await TestUser.CreateAsync(App);
        var stranger = await TestUser.CreateAsync(App);
        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, stranger.Id))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_last_owner_cannot_be_removed()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_removed_member_falls_back_to_another_workspace()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await member.PostAsync(Route.To<SetActiveWorkspace.Endpoint>(), new { workspace_id = owner.WorkspaceId });

        (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var me = await (await member.Client().GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(member.WorkspaceId);
    }

    [Fact]
    public async Task Removing_a_member_records_one_event_in_the_workspace()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var ws = owner.WorkspaceId;
        await owner.AddToMyWorkspaceAsync(other, "admin");

        (await owner.Client().DeleteAsync(Member(ws, other.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await owner.Client().DeleteAsync(Member(ws, other.Id))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await App.EventsAboutAsync(other.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["member.removed"]);
        events[0].ShouldBeBy("member.removed", owner.Id, "user", other.Id.ToString(), ws);
        events[0].DetailsJson.GetProperty("role").GetString().ShouldBe("admin");
    }

    [Fact]
    public async Task A_removal_refused_for_lack_of_rights_records_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId });

        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(before);
        (await App.EventsByAsync(member.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }

    [Fact]
    public async Task A_plain_member_leaves_and_records_one_member_removed_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");

        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.WorkspaceStateAsync(owner.WorkspaceId)).ShouldNotContain(member.Id.ToString());
        (await member.Client().GetAsync(Members(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var e = (await App.EventsAboutAsync(member.Id)).Where(e => e.Action == "member.removed").ShouldHaveSingleItem();
        e.ActorUserId.ShouldBe(member.Id);
        e.WorkspaceId.ShouldBe(owner.WorkspaceId);
    }

    [Fact]
    public async Task The_last_owner_cannot_leave_but_an_owner_with_a_co_owner_can()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await App.WorkspaceStateAsync(owner.WorkspaceId);

        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await App.WorkspaceStateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(owner.Id)).ShouldNotContain(e => e.Action == "member.removed");

        var coOwner = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(coOwner, "owner");
        (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        // The workspace and the keys made in it stay; the owner who left is no member.
        (await App.WorkspaceStateAsync(owner.WorkspaceId)).ShouldBe($"{coOwner.Id}:owner|1|1");
    }

    [Fact]
    public async Task Leaving_does_not_let_a_member_remove_anyone_else()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await owner.AddToMyWorkspaceAsync(other, "member");
        var before = await App.WorkspaceStateAsync(owner.WorkspaceId);

        await (await member.Client().DeleteAsync(Member(owner.WorkspaceId, other.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await App.WorkspaceStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_member_who_left_is_refused_on_another_instance_within_a_second()
    {
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var members = Members(owner.WorkspaceId);
        (await _there.Client(member.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(member.Token).GetAsync(members)).StatusCode == HttpStatusCode.Forbidden);
    }
}
