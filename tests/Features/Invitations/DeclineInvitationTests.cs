using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using AcceptInvitation = Gatehouse.Features.Invitations.AcceptInvitation;
using DeclineInvitation = Gatehouse.Features.Invitations.DeclineInvitation;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class DeclineInvitationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Decline(Guid id) => Route.To<DeclineInvitation.Endpoint>(new { invitation_id = id });
    private static string Accept(Guid id) => Route.To<AcceptInvitation.Endpoint>(new { invitation_id = id });

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().PostAsync(Decline(Guid.NewGuid()), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_key_cannot_decline()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        var id = await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.PostAsync(Decline(id), null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Declining_uses_the_invitation_up_and_records_one_event()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        var id = await owner.InviteAsync(email);
        var invitee = App.Invitee(email);

        (await invitee.PostAsync(Decline(id), null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.ScalarAsync<bool>("select declined_at is not null from invitations where id = @id", new { id })).ShouldBeTrue();
        await (await invitee.PostAsync(Accept(id), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await App.ScalarAsync<long>("select count(*) from workspace_members where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(1);
        var declined = (await App.EventsAboutAsync(id)).Where(e => e.Action == "invitation.declined").ShouldHaveSingleItem();
        declined.WorkspaceId.ShouldBe(owner.WorkspaceId);
    }
}
