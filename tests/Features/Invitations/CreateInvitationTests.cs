using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using CreateInvitation = Gatehouse.Features.Invitations.CreateInvitation;
using ListInvitations = Gatehouse.Features.Invitations.ListInvitations;

namespace Gatehouse.Tests.Features.Invitations;

public sealed class CreateInvitationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Invitations(Guid workspace) => Route.To<CreateInvitation.Endpoint>(new { workspace_id = workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().PostAsJsonAsync(Invitations(owner.WorkspaceId), new { email = "a@example.com", role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
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

        var listed = await (await owner.Client().GetAsync(Route.To<ListInvitations.Endpoint>(new { workspace_id = owner.WorkspaceId }))).ShouldBeOkJsonAsync();
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
        var before = await App.InvitationStateAsync(owner.WorkspaceId);
        var problem = await (await owner.Client().PostAsync(Invitations(owner.WorkspaceId), HttpAssertions.Json(body)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task Create_with_an_unknown_role_value_or_a_long_email_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await App.InvitationStateAsync(owner.WorkspaceId);
        await (await owner.Client().PostAsync(Invitations(owner.WorkspaceId), HttpAssertions.Json("""{"email":"a@example.com","role":"superuser"}""")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = new string('a', 320) + "@example.com", role = "member" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_plain_member_cannot_invite()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        await (await member.PostAsync(Invitations(owner.WorkspaceId), new { email = Unique.Email(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task A_second_pending_invitation_or_a_verified_member_is_409_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var email = Unique.Email();
        await owner.InviteAsync(email);
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = email.ToUpperInvariant(), role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await owner.PostAsync(Invitations(owner.WorkspaceId), new { email = member.Email.ToUpperInvariant(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_api_key_cannot_invite()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        await owner.InviteAsync(Unique.Email());
        var before = await App.InvitationStateAsync(owner.WorkspaceId);

        var problem = await (await viaKey.PostAsJsonAsync(Invitations(owner.WorkspaceId), new { email = Unique.Email(), role = "member" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");

        (await App.InvitationStateAsync(owner.WorkspaceId)).ShouldBe(before);
    }
}
