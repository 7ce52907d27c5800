using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Workspaces;

/// <summary>ListMembers, AddMember, ChangeMemberRole and RemoveMember.</summary>
public sealed class MembersTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static string Members(Guid workspace) => $"/api/v1/workspaces/{workspace}/members";
    private static string Member(Guid workspace, Guid user) => $"/api/v1/workspaces/{workspace}/members/{user}";

    private Task<string> MembershipsAsync(Guid workspace) => App.ScalarAsync<string>(
        "select coalesce(string_agg(user_id::text || ':' || role, ',' order by user_id), '') from workspace_members where workspace_id = @workspace",
        new { workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().GetAsync(Members(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await App.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
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

    [Fact]
    public async Task An_owner_adds_a_user_by_verified_email()
    {
        var owner = await TestUser.CreateAsync(App);
        var invitee = await TestUser.CreateAsync(App, "Invitee");

        var added = await (await owner.PostAsync(Members(owner.WorkspaceId), new { email = invitee.Email.ToUpperInvariant(), role = "admin" }))
            .ShouldBeOkJsonAsync(HttpStatusCode.Created);

        added.GetProperty("user_id").GetGuid().ShouldBe(invitee.Id);
        added.GetProperty("role").GetString().ShouldBe("admin");
        added.GetProperty("full_name").GetString().ShouldBe("Invitee");
        (await MembershipsAsync(owner.WorkspaceId)).ShouldContain($"{invitee.Id}:admin");
    }

    [Theory]
    [InlineData("""{"email":"","role":"member"}""", "email")]
    [InlineData("""{"email":"not-an-email","role":"member"}""", "email")]
    [InlineData("""{"email":"a@example.com","role":"owner"}""", "role")]
    public async Task Add_with_invalid_fields_is_400_keyed_by_field_and_changes_nothing(string body, string field)
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await MembershipsAsync(owner.WorkspaceId);
        var problem = await (await owner.Client().PostAsync(Members(owner.WorkspaceId), HttpAssertions.Json(body)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Add_with_an_unknown_role_value_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        await (await owner.Client().PostAsync(Members(owner.WorkspaceId), HttpAssertions.Json("""{"email":"a@example.com","role":"superuser"}""")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Add_by_a_plain_member_is_403_unknown_email_404_and_existing_member_409()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var invitee = await TestUser.CreateAsync(App);
        var before = await MembershipsAsync(owner.WorkspaceId);

        await (await member.PostAsync(Members(owner.WorkspaceId), new { email = invitee.Email, role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email = Unique.Email(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email = member.Email, role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    private async Task<HttpClient> ApiKeyClientAsync(TestUser user)
    {
        var created = await (await user.PostAsync("/api/v1/api-keys", new { name = "leaked" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return App.Client(apiKey: created.GetProperty("key").GetString());
    }

    private static async Task ShouldBeRefusedForApiKeysAsync(HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer error=\"insufficient_scope\"");
    }

    [Fact]
    public async Task An_owners_api_key_can_neither_add_promote_nor_remove_members_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var outsider = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var viaKey = await ApiKeyClientAsync(owner);
        var before = await MembershipsAsync(owner.WorkspaceId);

        await ShouldBeRefusedForApiKeysAsync(await viaKey.PostAsJsonAsync(Members(owner.WorkspaceId), new { email = outsider.Email, role = "admin" }));
        await ShouldBeRefusedForApiKeysAsync(await viaKey.PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "owner" }));
        await ShouldBeRefusedForApiKeysAsync(await viaKey.DeleteAsync(Member(owner.WorkspaceId, member.Id)));
        await ShouldBeRefusedForApiKeysAsync(await viaKey.DeleteAsync(Member(owner.WorkspaceId, owner.Id)));

        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
        (await viaKey.GetAsync(Members(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_api_key_is_refused_before_its_body_is_looked_at()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await ApiKeyClientAsync(owner);

        await ShouldBeRefusedForApiKeysAsync(await viaKey.PatchAsync(Member(owner.WorkspaceId, owner.Id), HttpAssertions.Json("""{"role":"superhero"}""")));
        await ShouldBeRefusedForApiKeysAsync(await viaKey.PostAsync(Members(owner.WorkspaceId), HttpAssertions.Json("{not json")));
    }

    [Fact]
    public async Task An_unverified_email_does_not_identify_a_user()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        await App.Client(App.Auth0.Token(Unique.Subject(), Unique.Claims(email, "Unverified", emailVerified: false))).GetAsync("/api/v1/auth/me");

        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email, role = "member" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Roles_change_and_members_are_removed_by_owners_and_admins()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        await owner.AddToMyWorkspaceAsync(member, "member");

        var changed = await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "admin" })).ShouldBeOkJsonAsync();
        changed.GetProperty("role").GetString().ShouldBe("admin");
        changed.GetProperty("email").GetString().ShouldBe(member.Email);

        (await admin.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await MembershipsAsync(owner.WorkspaceId)).ShouldNotContain(member.Id.ToString());
    }

    [Fact]
    public async Task Member_changes_by_a_member_are_403_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await MembershipsAsync(owner.WorkspaceId);

        await (await member.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, member.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await member.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admin_cannot_touch_ownership()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        var before = await MembershipsAsync(owner.WorkspaceId);

        await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, admin.Id), new { role = "owner" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await admin.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await admin.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_user_who_is_not_a_member_is_404_on_patch_and_delete()
    {
        var owner = await TestUser.CreateAsync(App);
        var stranger = await TestUser.CreateAsync(App);
        await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, stranger.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, stranger.Id))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_without_a_role_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        var problem = await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("role", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task The_last_owner_can_be_neither_demoted_nor_removed()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await MembershipsAsync(owner.WorkspaceId);

        await (await owner.Client().PatchAsJsonAsync(Member(owner.WorkspaceId, owner.Id), new { role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
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
                    : second.Client().DeleteAsync(Member(workspace, second.Id)));

            responses.Count(r => r.IsSuccessStatusCode).ShouldBe(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(1);
            (await App.ScalarAsync<int>("select count(*) from workspace_members where workspace_id = @workspace and role = 'owner'", new { workspace }))
                .ShouldBe(1);
        }
    }

    [Fact]
    public async Task A_removed_member_falls_back_to_another_workspace()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await member.PostAsync("/api/v1/auth/set-active-workspace", new { workspace_id = owner.WorkspaceId });

        (await owner.Client().DeleteAsync(Member(owner.WorkspaceId, member.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var me = await (await member.Client().GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(member.WorkspaceId);
    }
}
