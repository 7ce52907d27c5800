using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using RevokeInvitation = Gatehouse.Features.Invitations.RevokeInvitation;
using ListInvitations = Gatehouse.Features.Invitations.ListInvitations;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class RevokeInvitationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Invitation(Guid workspace, Guid id) => Route.To<RevokeInvitation.Endpoint>(new { workspace_id = workspace, invitation_id = id });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().DeleteAsync(Invitation(owner.WorkspaceId, Guid.NewGuid()))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_plain_member_cannot_revoke()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var id = await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        await (await member.Client().DeleteAsync(Invitation(owner.WorkspaceId, id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admin_invites_and_revokes()
    {
        var owner = await TestUser.CreateAsync(App);
        var admin = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        var id = await admin.InviteAsync(Unique.Email(), workspace: owner.WorkspaceId);

        (await admin.Client().DeleteAsync(Invitation(owner.WorkspaceId, id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.ScalarAsync<bool>("select revoked_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
        (await (await owner.Client().GetAsync(Route.To<ListInvitations.Endpoint>(new { workspace_id = owner.WorkspaceId }))).ShouldBeOkJsonAsync())
            .GetArrayLength().ShouldBe(0);
        (await App.EventsAboutAsync(id)).Select(e => e.Action).ShouldBe(["invitation.created", "invitation.revoked"]);
    }

    [Fact]
    public async Task Revoking_what_is_not_pending_or_not_in_that_workspace_is_404()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var theirs = await other.InviteAsync(Unique.Email());
        var revoked = await owner.InviteAsync(Unique.Email());
        (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, revoked))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var before = await App.InvitationStateAsync(other.WorkspaceId);

        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, revoked))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, theirs))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.Client().DeleteAsync(Invitation(owner.WorkspaceId, Guid.NewGuid()))).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await App.InvitationStateAsync(other.WorkspaceId)).ShouldBe(before);
        (await App.EventsAboutAsync(revoked)).Count(e => e.Action == "invitation.revoked").ShouldBe(1);
    }

    [Fact]
    public async Task An_api_key_cannot_revoke()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        var id = await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.DeleteAsync(Invitation(owner.WorkspaceId, id))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }
}
