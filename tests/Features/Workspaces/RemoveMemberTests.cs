using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using RemoveMember = Gatehouse.Features.Workspaces.RemoveMember;
using SetActiveWorkspace = Gatehouse.Features.Workspaces.SetActiveWorkspace;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class RemoveMemberTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
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
}
