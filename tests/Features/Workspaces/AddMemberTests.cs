using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using AddMember = Gatehouse.Features.Workspaces.AddMember;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Workspaces;

public sealed class AddMemberTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Members(Guid workspace) => Route.To<AddMember.Endpoint>(new { workspace_id = workspace });

    [Fact]
    public async Task Missing_token_is_401()
    {
        var owner = await TestUser.CreateAsync(App);
        (await App.Client().PostAsJsonAsync(Members(owner.WorkspaceId), new { email = Unique.Email(), role = "member" }))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
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
        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldContain($"{invitee.Id}:admin");
    }

    [Theory]
    [InlineData("""{"email":"","role":"member"}""", "email")]
    [InlineData("""{"email":"not-an-email","role":"member"}""", "email")]
    [InlineData("""{"email":"a@example.com","role":"owner"}""", "role")]
    public async Task Add_with_invalid_fields_is_400_keyed_by_field_and_changes_nothing(string body, string field)
    {
        var owner = await TestUser.CreateAsync(App);
        var before = await App.MembershipsAsync(owner.WorkspaceId);
        var problem = await (await owner.Client().PostAsync(Members(owner.WorkspaceId), HttpAssertions.Json(body)))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
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
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await member.PostAsync(Members(owner.WorkspaceId), new { email = invitee.Email, role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email = Unique.Email(), role = "member" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email = member.Email, role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
    }

    [Fact]
    public async Task An_owners_api_key_cannot_add_members_and_changes_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var outsider = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();
        var before = await App.MembershipsAsync(owner.WorkspaceId);

        await (await viaKey.PostAsJsonAsync(Members(owner.WorkspaceId), new { email = outsider.Email, role = "admin" })).ShouldBeRefusedForApiKeysAsync();

        (await App.MembershipsAsync(owner.WorkspaceId)).ShouldBe(before);
        // Reading is what a key may do.
        (await viaKey.GetAsync(Route.To<ListMembers.Endpoint>(new { workspace_id = owner.WorkspaceId }))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_api_key_is_refused_before_its_body_is_looked_at()
    {
        var owner = await TestUser.CreateAsync(App);
        var viaKey = await owner.ApiKeyClientAsync();

        await (await viaKey.PostAsync(Members(owner.WorkspaceId), HttpAssertions.Json("{not json"))).ShouldBeRefusedForApiKeysAsync();
    }

    [Fact]
    public async Task An_unverified_email_does_not_identify_a_user()
    {
        var owner = await TestUser.CreateAsync(App);
        var email = Unique.Email();
        await App.Client(App.Auth0.Token(Unique.Subject(), Unique.Claims(email, "Unverified", emailVerified: false))).GetAsync(Route.To<Me.Endpoint>());

        await (await owner.PostAsync(Members(owner.WorkspaceId), new { email, role = "member" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Adding_a_member_records_one_event_in_the_workspace()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var ws = owner.WorkspaceId;

        (await owner.PostAsync(Members(ws), new { email = other.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await owner.PostAsync(Members(ws), new { email = other.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await owner.PostAsync(Members(ws), new { email = Unique.Email(), role = "member" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await App.EventsAboutAsync(other.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["member.added"]);
        events[0].ShouldBeBy("member.added", owner.Id, "user", other.Id.ToString(), ws);
        events[0].DetailsJson.GetProperty("role").GetString().ShouldBe("member");
    }

    [Fact]
    public async Task An_add_refused_for_lack_of_rights_records_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var third = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId });

        (await member.PostAsync(Members(owner.WorkspaceId), new { email = third.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(before);
        (await App.EventsByAsync(member.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }
}
