using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using ListInvitations = Gatehouse.Features.Invitations.ListInvitations;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class ListInvitationsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Invitations(Guid workspace) => Route.To<ListInvitations.Endpoint>(new { workspace_id = workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().GetAsync(Invitations(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_plain_member_cannot_list()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        await (await member.Client().GetAsync(Invitations(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_api_key_cannot_list()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.GetAsync(Invitations(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_managers_see_only_their_own_workspaces_invitations()
    {
        var a = await TestUser.CreateAsync(App);
        var b = await TestUser.CreateAsync(App);
        var bInvite = await b.InviteAsync(Unique.Email());
        await a.InviteAsync(Unique.Email());

        var listed = await (await a.Client().GetAsync(Invitations(a.WorkspaceId))).ShouldBeOkJsonAsync();
        listed.EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ShouldNotContain(bInvite);
        listed.GetArrayLength().ShouldBe(1);
    }
}
