using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using AcceptInvitation = Gatehouse.Features.Invitations.AcceptInvitation;
using DeclineInvitation = Gatehouse.Features.Invitations.DeclineInvitation;
using ListMyInvitations = Gatehouse.Features.Invitations.ListMyInvitations;
using ListInvitations = Gatehouse.Features.Invitations.ListInvitations;
using RevokeInvitation = Gatehouse.Features.Invitations.RevokeInvitation;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class AcceptInvitationTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess? _there;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() { if (_there is not null) await _there.DisposeAsync(); }

    private static string Accept(Guid id) => Route.To<AcceptInvitation.Endpoint>(new { invitation_id = id });
    private static string Decline(Guid id) => Route.To<DeclineInvitation.Endpoint>(new { invitation_id = id });
    private static string Mine => Route.To<ListMyInvitations.Endpoint>();
    private static string Invitations(Guid workspace) => Route.To<ListInvitations.Endpoint>(new { workspace_id = workspace });
    private static string Members(Guid workspace) => Route.To<ListMembers.Endpoint>(new { workspace_id = workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().PostAsync(Accept(Guid.NewGuid()), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_key_cannot_accept()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        var id = await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task The_invitee_accepts_it_case_insensitively_and_joins_with_the_role()
    {
        var owner = await TestUser.CreateAsync(App, "Ada Inviter");
        var email = Unique.Email();
        var id = await owner.InviteAsync(email, "admin");
        var invitee = App.Invitee(email.ToUpperInvariant());

        var joined = await (await invitee.PostAsync(Accept(id), null)).ShouldBeOkJsonAsync();
        joined.GetProperty("id").GetGuid().ShouldBe(owner.WorkspaceId);
        joined.GetProperty("role").GetString().ShouldBe("admin");

        // Seen at once by the instance that committed (its caches follow).
        (await invitee.GetAsync(Members(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.OK);
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
        var id = await owner.InviteAsync(Unique.Email());
        var stranger = await TestUser.CreateAsync(App);
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        (await (await stranger.Client().GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await stranger.Client().PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client().PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Client().PostAsync(Accept(Guid.NewGuid()), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(id)).Select(e => e.Action).ShouldBe(["invitation.created"]);
    }

    [Fact]
    public async Task An_unverified_address_sees_nothing_and_cannot_accept_until_it_is_verified()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await owner.InviteAsync(email);
        var subject = Unique.Subject();
        // Signs up after the invitation, with the address not yet verified.
        var unverified = App.Invitee(email, verified: false, subject: subject);
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        (await (await unverified.GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await unverified.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await unverified.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);

        // The provider verifies the address: the same person now sees and accepts it.
        var verified = App.Invitee(email, verified: true, subject: subject);
        (await (await verified.GetAsync(Mine)).ShouldBeOkJsonAsync()).EnumerateArray().Single().GetProperty("id").GetGuid().ShouldBe(id);
        (await verified.PostAsync(Accept(id), null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var userId = await App.ScalarAsync<Guid>("select id from users where auth0_id = @subject", new { subject });
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldContain($"{userId}:member");
    }

    [Fact]
    public async Task An_expired_invitation_is_neither_listed_accepted_declined_nor_revoked_and_a_new_one_may_be_made()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await owner.InviteAsync(email);
        await App.ExecuteAsync("update invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = @id", new { id });
        var invitee = App.Invitee(email);
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        (await (await invitee.GetAsync(Mine)).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        (await (await owner.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await invitee.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await invitee.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Route.To<RevokeInvitation.Endpoint>(new { workspace_id = owner.WorkspaceId, invitation_id = id })))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);

        var renewed = await owner.InviteAsync(email);
        (await invitee.PostAsync(Accept(renewed), null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_accepts_make_one_membership_and_one_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await owner.InviteAsync(email);
        var invitee = App.Invitee(email);
        (await invitee.GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

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
        var id = await owner.InviteAsync(email, "admin");
        var invitee = App.Invitee(email);
        var me = await (await invitee.GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();
        var userId = me.GetProperty("id").GetGuid();
        await App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@ws, @userId, 'member')", new { ws = owner.WorkspaceId, userId });

        var joined = await (await invitee.PostAsync(Accept(id), null)).ShouldBeOkJsonAsync();

        joined.GetProperty("role").GetString().ShouldBe("member");
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldContain($"{userId}:member");
        (await App.ScalarAsync<bool>("select accepted_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
    }

    [Fact]
    public async Task An_accepted_invitation_is_seen_on_another_instance_within_a_second()
    {
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));
        var owner = await TestUser.CreateAsync(App);
        var invitee = await TestUser.CreateAsync(App);
        var members = Members(owner.WorkspaceId);
        (await _there.Client(invitee.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var id = await owner.InviteAsync(invitee.Email);

        (await invitee.Client().PostAsync(Accept(id), null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await Consistency.SeenWithinContractAsync(async () =>
            (await _there.Client(invitee.Token).GetAsync(members)).StatusCode == HttpStatusCode.OK);
    }
}
