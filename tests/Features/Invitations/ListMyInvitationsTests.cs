using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using ListMyInvitations = Gatehouse.Features.Invitations.ListMyInvitations;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class ListMyInvitationsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Mine => Route.To<ListMyInvitations.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().GetAsync(Mine)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_key_cannot_list_its_users_invitations()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.GetAsync(Mine)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task The_invitee_sees_it_case_insensitively_with_the_workspace_role_and_inviter()
    {
        var owner = await TestUser.CreateAsync(App, "Ada Inviter");
        var email = Unique.Email();
        var id = await owner.InviteAsync(email, "admin");
        var invitee = App.Invitee(email.ToUpperInvariant());

        var mine = (await (await invitee.GetAsync(Mine)).ShouldBeOkJsonAsync()).EnumerateArray().ShouldHaveSingleItem();
        mine.GetProperty("id").GetGuid().ShouldBe(id);
        mine.GetProperty("workspace_id").GetGuid().ShouldBe(owner.WorkspaceId);
        mine.GetProperty("workspace_name").GetString().ShouldNotBeNullOrWhiteSpace();
        mine.GetProperty("role").GetString().ShouldBe("admin");
        mine.GetProperty("invited_by_name").GetString().ShouldBe("Ada Inviter");
    }
}
