using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using ChangeMemberRole = Gatehouse.Features.Workspaces.ChangeMemberRole;
using RemoveMember = Gatehouse.Features.Workspaces.RemoveMember;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class ChangeMemberRoleTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Member(Guid workspace, Guid user) => Route.To<ChangeMemberRole.Endpoint>(new { workspace_id = workspace, user_id = user });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_admin_changes_a_members_role()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        await owner.AddToMyWorkspaceAsync(member, "member");

        var changed = await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "admin" })).ShouldBeOkJsonAsync();
        changed.GetProperty("role").GetString().ShouldBe("admin");
        changed.GetProperty("email").GetString().ShouldBe(member.Email);
        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldContain($"{member.Id}:admin");
    }

    [Fact]
    public async Task An_owners_api_key_cannot_promote_members_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var viaKey = await owner.ApiKeyClientAsync();
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await viaKey.PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "owner" })).ShouldBeRefusedForApiKeysAsync();

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_api_key_is_refused_before_its_body_is_looked_at()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();

        await (await viaKey.PatchAsync(Member(owner.WorkspaceId, owner.Id), HttpAssertions.Json("""{"role":"superhero"}"""))).ShouldBeRefusedForApiKeysAsync();
    }

    [Fact]
    public async Task A_change_by_a_member_is_403_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await member.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admin_can_neither_take_nor_demote_ownership()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, admin.Id), new { role = "owner" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_user_who_is_not_a_member_is_404()
    {
        var owner = await TestUser.CreateAsync(App);
        var stranger = await TestUser.CreateAsync(App);
        await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, stranger.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_without_a_role_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        var problem = await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("role", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task The_last_owner_cannot_be_demoted()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Concurrent_demotions_and_removals_of_the_last_two_owners_leave_one_owner()
    {
        for (var round = 0; round < 10; round++)
        {
            var first = await TestUser.CreateAsync(App);
            var second = await TestUser.CreateAsync(App);
            await first.AddToMyWorkspaceAsync(second, "owner");
            var workspace = first.WorkspaceId;

            var responses = await Task.WhenAll(
                first.Client().PatchAsJsonAsync(Member(workspace, first.Id), new { role = "member" }),
                round % 2 == 0
                    ? second.Client().PatchAsJsonAsync(Member(workspace, second.Id), new { role = "admin" })
                    : second.Client().DeleteAsync(Route.To<RemoveMember.Endpoint>(new { workspace_id = workspace, user_id = second.Id })));

            responses.Count(r => r.IsSuccessStatusCode).ShouldBe(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(1);
            (await App.ScalarAsync<int>("select count(*) from workspace_members where workspace_id = @workspace and role = 'owner'", new { workspace }))
                .ShouldBe(1);
        }
    }

    [Fact]
    public async Task Changing_a_role_records_one_event_in_the_workspace_and_a_repeat_or_refusal_none()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var ws = owner.WorkspaceId;
        await owner.AddToMyWorkspaceAsync(other, "member");

        (await owner.Client().PatchAsJsonAsync(Member(ws, other.Id), new { role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PatchAsJsonAsync(Member(ws, other.Id), new { role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PatchAsJsonAsync(Member(ws, owner.Id), new { role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var events = (await App.EventsAboutAsync(other.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["member.role_changed"]);
        events[0].ShouldBeBy("member.role_changed", owner.Id, "user", other.Id.ToString(), ws);
        events[0].DetailsJson.GetProperty("role").GetString().ShouldBe("admin");
        events[0].DetailsJson.GetProperty("previous_role").GetString().ShouldBe("member");
        // The refused demotion of the last owner left no trace either.
        (await App.EventsAboutAsync(owner.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }
}
