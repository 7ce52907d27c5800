using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Features.Audit;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Invitations;

/// <summary>CreateInvitation, ListInvitations, RevokeInvitation, ListMyInvitations, AcceptInvitation, DeclineInvitation.</summary>
public sealed class InvitationsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static string Invitations(Guid workspace) => $"/api/v1/workspaces/{workspace}/invitations";
    private static string Invitation(Guid workspace, Guid id) => $"/api/v1/workspaces/{workspace}/invitations/{id}";
    private const string Mine = "/api/v1/auth/invitations";
    private static string Accept(Guid id) => $"/api/v1/auth/invitations/{id}/accept";
    private static string Decline(Guid id) => $"/api/v1/auth/invitations/{id}/decline";

    private Task<string> StateAsync(Guid workspace) => App.ScalarAsync<string>("""
        select coalesce((select string_agg(user_id::text || ':' || role, ',' order by user_id) from workspace_members where workspace_id = @workspace), '')
            || '|' || coalesce((select string_agg(id::text || ':' || email || ':' || role || ':' || (accepted_at is null)::text
                                                  || (declined_at is null)::text || (revoked_at is null)::text, ',' order by id)
                                from invitations where workspace_id = @workspace), '')
        """, new { workspace });

    private async Task<Guid> InviteAsync(TestUser manager, string email, string role = "member", Guid? workspace = null)
    {
        var created = await (await manager.PostAsync(Invitations(workspace ?? manager.WorkspaceId), new { email, role })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private HttpClient Invitee(string email, bool verified = true, string? subject = null) =>
        App.Client(App.Auth0.Token(subject ?? Unique.Subject(), Unique.Claims(email, "Invitee Person", verified)));

    private async Task<HttpClient> ApiKeyClientAsync(TestUser user)
    {
        var created = await (await user.PostAsync("/api/v1/api-keys", new { name = "leaked" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return App.Client(apiKey: created.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Missing_token_is_401_on_every_invitation_route()
    {
        var owner = await TestUser.CreateAsync(App);
        var anonymous = App.Client();
        var id = Guid.NewGuid();
        (await anonymous.PostAsJsonAsync(Invitations(owner.WorkspaceId), new { email = "a@example.com", role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync(Invitations(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.DeleteAsync(Invitation(owner.WorkspaceId, id))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync(Mine)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PostAsync(Accept(id), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PostAsync(Decline(id), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_owner_invites_and_the_response_and_row_say_so()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();

        var created = await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email, role = "admin" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);

        created.GetProperty("email").GetString().ShouldBe(email);
        created.GetProperty("role").GetString().ShouldBe("admin");
        created.GetProperty("workspace_id").GetGuid().ShouldBe(owner.WorkspaceId);
        created.GetProperty("invited_by").GetGuid().ShouldBe(owner.Id);
        var lifetime = created.GetProperty("expires_at").GetDateTimeOffset() - created.GetProperty("created_at").GetDateTimeOffset();
        lifetime.ShouldBe(TimeSpan.FromDays(7), TimeSpan.FromSeconds(1));
        var id = created.GetProperty("id").GetGuid();

        var listed = await (await owner.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeOkJsonAsync();
        listed.EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldBe([id]);
        var e = (await App.EventsAboutAsync(id)).ShouldHaveSingleItem();
        e.Action.ShouldBe("invitation.created");
        e.WorkspaceId.ShouldBe(owner.WorkspaceId);
        e.ActorUserId.ShouldBe(owner.Id);
    }

    [Theory]
    [InlineData("""{"email":"","role":"member"}""", "email")]
    [InlineData("""{"email":"not-an-email","role":"member"}""", "email")]
    [InlineData("""{"email":"a@example.com","role":"owner"}""", "role")]
    [InlineData("""{"email":"a@example.com"}""", "role")]
    public async Task Create_with_invalid_fields_is_400_keyed_by_field_and_changes_nothing(string body, string field)
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await StateAsync(owner.WorkspaceId);
        var problem = await (await owner.Client().PostAsync(Invitations(owner.WorkspaceId), HttpAssertions.Json(body)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Create_with_an_unknown_role_value_or_a_long_email_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await StateAsync(owner.WorkspaceId);
        await (await owner.Client().PostAsync(Invitations(owner.WorkspaceId), HttpAssertions.Json("""{"email":"a@example.com","role":"superuser"}""")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = new string('a', 320) + "@example.com", role = "member" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_plain_member_can_neither_invite_list_nor_revoke()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var id = await InviteAsync(owner, Unique.Email());
        var before = await StateAsync(owner.WorkspaceId);

        await (await member.PostAsync(Invitations(owner.WorkspaceId), new { email = Unique.Email(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await member.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await member.Client().DeleteAsync(Invitation(owner.WorkspaceId, id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admin_invites_and_revokes()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        var id = await InviteAsync(admin, Unique.Email(), workspace: owner.WorkspaceId);

        (await admin.Client().DeleteAsync(Invitation(owner.WorkspaceId, id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.ScalarAsync<bool>("select revoked_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
        (await (await owner.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        (await App.EventsAboutAsync(id)).Select(e => e.Action).ShouldBe(["invitation.created", "invitation.revoked"]);
    }

    [Fact]
    public async Task A_second_pending_invitation_or_a_verified_member_is_409_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var email = Unique.Email();
        await InviteAsync(owner, email);
        var before = await StateAsync(owner.WorkspaceId);

        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = email.ToUpperInvariant(), role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = member.Email.ToUpperInvariant(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Revoking_what_is_not_pending_or_not_in_that_workspace_is_404()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var theirs = await InviteAsync(other, Unique.Email());
        var revoked = await InviteAsync(owner, Unique.Email());
        (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, revoked))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var before = await StateAsync(other.WorkspaceId);

        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, revoked))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, theirs))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, Guid.NewGuid()))).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await StateAsync(other.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(revoked)).Count(e => e.Action == "invitation.revoked").ShouldBe(1);
    }

    [Fact]
    public async Task An_api_key_can_do_none_of_it()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await ApiKeyClientAsync(owner);
        var id = await InviteAsync(owner, Unique.Email());
        var before = await StateAsync(owner.WorkspaceId);

        foreach (var response in new[]
                 {
                     await viaKey.PostAsJsonAsync(Invitations(owner.WorkspaceId), new { email = Unique.Email(), role = "member" }),
                     await viaKey.GetAsync(Invitations(owner.WorkspaceId)),
                     await viaKey.DeleteAsync(Invitation(owner.WorkspaceId, id)),
                     await viaKey.GetAsync(Mine),
                     await viaKey.PostAsync(Accept(id), null),
                     await viaKey.PostAsync(Decline(id), null),
                 })
        {
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");
        }
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task The_invitee_sees_and_accepts_it_case_insensitively_and_joins_with_the_role()
    {
        var owner = await TestUser.CreateAsync(App, "Ada Inviter");
        var email = Unique.Email();
        var id = await InviteAsync(owner, email, "admin");
        var invitee = Invitee(email.ToUpperInvariant());

        var mine = (await (await invitee.GetAsync(Mine)).ShouldBeOkJsonAsync()).EnumerateArray().ShouldHaveSingleItem();
        mine.GetProperty("id").GetGuid().ShouldBe(id);
        mine.GetProperty("workspace_id").GetGuid().ShouldBe(owner.WorkspaceId);
        mine.GetProperty("workspace_name").GetString().ShouldNotBeNullOrWhiteSpace();
        mine.GetProperty("role").GetString().ShouldBe("admin");
        mine.GetProperty("invited_by_name").GetString().ShouldBe("Ada Inviter");

        var joined = await (await invitee.PostAsync(Accept(id), null)).ShouldBeOkJsonAsync();
        joined.GetProperty("id").GetGuid().ShouldBe(owner.WorkspaceId);
        joined.GetProperty("role").GetString().ShouldBe("admin");

        // Seen at once by the instance that committed (its caches follow).
        (await invitee.GetAsync($"/api/v1/workspaces/{owner.WorkspaceId}/members")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await invitee.GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        (await (await owner.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        var accepted = (await App.EventsAboutAsync(id)).Where(e => e.Action == "invitation.accepted").ShouldHaveSingleItem();
        accepted.WorkspaceId.ShouldBe(owner.WorkspaceId);

        // Used: a second accept or a decline is 404.
        await (await invitee.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await invitee.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Someone_elses_invitation_is_invisible_and_404_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var id = await InviteAsync(owner, Unique.Email());
        var stranger = await TestUser.CreateAsync(App);
        var before = await StateAsync(owner.WorkspaceId);

        (await (await stranger.Client().GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await stranger.Client().PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client().PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client().PostAsync(Accept(Guid.NewGuid()), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(id)).Select(e => e.Action).ShouldBe(["invitation.created"]);
    }

    [Fact]
    public async Task An_unverified_address_sees_nothing_and_cannot_accept_until_it_is_verified()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await InviteAsync(owner, email);
        var subject = Unique.Subject();
        // Signs up after the invitation, with the address not yet verified.
        var unverified = Invitee(email, verified: false, subject: subject);
        var before = await StateAsync(owner.WorkspaceId);

        (await (await unverified.GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await unverified.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await unverified.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);

        // The provider verifies the address: the same person now sees and accepts it.
        var verified = Invitee(email, verified: true, subject: subject);
        (await (await verified.GetAsync(Mine)).ShouldBeOkJsonAsync()).EnumerateArray().Single().GetProperty("id").GetGuid().ShouldBe(id);
        (await verified.PostAsync(Accept(id), null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var userId = await App.ScalarAsync<Guid>("select id from users where auth0_id = @subject", new { subject });
        (await StateAsync(owner.WorkspaceId)).ShouldContain($"{userId}:member");
    }

    [Fact]
    public async Task An_expired_invitation_is_neither_listed_accepted_declined_nor_revoked_and_a_new_one_may_be_made()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await InviteAsync(owner, email);
        await App.ExecuteAsync("update invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = @id", new { id });
        var invitee = Invitee(email);
        var before = await StateAsync(owner.WorkspaceId);

        (await (await invitee.GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        (await (await owner.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await invitee.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await invitee.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, id))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await StateAsync(owner.WorkspaceId)).ShouldBe(before);

        var renewed = await InviteAsync(owner, email);
        (await invitee.PostAsync(Accept(renewed), null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Declining_uses_the_invitation_up_and_records_one_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await InviteAsync(owner, email);
        var invitee = Invitee(email);

        (await invitee.PostAsync(Decline(id), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.ScalarAsync<bool>("select declined_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
        await (await invitee.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await App.ScalarAsync<long>("select count(*) from workspace_members where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(1);
        var declined = (await App.EventsAboutAsync(id)).Where(e => e.Action == "invitation.declined").ShouldHaveSingleItem();
        declined.WorkspaceId.ShouldBe(owner.WorkspaceId);
    }

    [Fact]
    public async Task Concurrent_accepts_make_one_membership_and_one_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await InviteAsync(owner, email);
        var invitee = Invitee(email);
        (await invitee.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => invitee.PostAsync(Accept(id), null)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.NotFound).ShouldBe(7);
        (await App.ScalarAsync<long>("select count(*) from workspace_members where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(2);
        (await App.EventsAboutAsync(id)).Count(e => e.Action == "invitation.accepted").ShouldBe(1);
    }

    [Fact]
    public async Task Accepting_when_already_a_member_keeps_the_role_and_uses_the_invitation_up()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await InviteAsync(owner, email, "admin");
        var invitee = Invitee(email);
        var me = await (await invitee.GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        var userId = me.GetProperty("id").GetGuid();
        await App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@ws, @userId, 'member')", new { ws = owner.WorkspaceId, userId });

        var joined = await (await invitee.PostAsync(Accept(id), null)).ShouldBeOkJsonAsync();

        joined.GetProperty("role").GetString().ShouldBe("member");
        (await StateAsync(owner.WorkspaceId)).ShouldContain($"{userId}:member");
        (await App.ScalarAsync<bool>("select accepted_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
    }

    [Fact]
    public async Task A_managers_see_only_their_own_workspaces_invitations()
    {
        var a = await TestUser.CreateAsync(App);
        var b = await TestUser.CreateAsync(App);
        var bInvite = await InviteAsync(b, Unique.Email());
        await InviteAsync(a, Unique.Email());

        var listed = await (await a.Client().GetAsync(Invitations(a.WorkspaceId))).ShouldBeOkJsonAsync();
        listed.EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldNotContain(bInvite);
        listed.GetArrayLength().ShouldBe(1);
    }
}
