using System.Net;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Audit;

/// <summary>Each change the API makes today records exactly one event, and a refused change none.</summary>
public sealed class AuditedActionsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private const string Keys = "/api/v1/api-keys";
    private static string Members(Guid workspace) => $"/api/v1/workspaces/{workspace}/members";
    private static string Member(Guid workspace, Guid user) => $"/api/v1/workspaces/{workspace}/members/{user}";
    private static StringContent Body(string raw) => HttpAssertions.Json(raw);

    private Task<long> CountAsync() => App.ScalarAsync<long>("select count(*) from audit_events");

    private static void ShouldBeBy(AuditRow e, string action, Guid actor, string targetType, string targetId, Guid? workspace,
        string method = "auth0")
    {
        e.Action.ShouldBe(action);
        e.ActorUserId.ShouldBe(actor);
        e.ActorMethod.ShouldBe(method);
        e.TargetType.ShouldBe(targetType);
        e.TargetId.ShouldBe(targetId);
        e.WorkspaceId.ShouldBe(workspace);
        e.RequestId.ShouldNotBeNullOrWhiteSpace();
    }

    private async Task<(HttpClient Client, Guid Id)> AdminAsync()
    {
        var token = App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Admin Person", true, "admin:access"));
        var client = App.Client(token);
        var me = await (await client.GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        return (client, me.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task First_login_records_user_provisioned_by_the_new_user_in_their_workspace()
    {
        var user = await TestUser.CreateAsync(App);
        var e = (await App.EventsAboutAsync(user.Id)).ShouldHaveSingleItem();
        ShouldBeBy(e, "user.provisioned", user.Id, "user", user.Id.ToString(), user.WorkspaceId);
        e.DetailsJson.GetProperty("provider").GetString().ShouldBe("auth0");
        // The default workspace and key come with the user: no events of their own.
        (await App.EventsByAsync(user.Id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_authentik_first_login_names_its_provider()
    {
        var me = await (await App.Client(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(Unique.Email(), "Kit")))
            .GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        var id = me.GetProperty("id").GetGuid();
        var e = (await App.EventsAboutAsync(id)).ShouldHaveSingleItem();
        ShouldBeBy(e, "user.provisioned", id, "user", id.ToString(), me.GetProperty("organization_id").GetGuid(), method: "authentik");
    }

    [Fact]
    public async Task Linking_an_identity_by_verified_email_records_user_linked()
    {
        var email = Unique.Email();
        var existing = await (await App.Client(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(email, "Linked")))
            .GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        var id = existing.GetProperty("id").GetGuid();
        var subject = Unique.Subject();

        (await App.Client(App.Auth0.Token(subject, Unique.Claims(email, "Linked"))).GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var events = await App.EventsAboutAsync(id);
        events.Select(e => e.Action).ShouldBe(["user.provisioned", "user.linked"]);
        ShouldBeBy(events[1], "user.linked", id, "user", id.ToString(), null);
        events[1].DetailsJson.GetProperty("provider").GetString().ShouldBe("auth0");
        events[1].DetailsJson.GetProperty("subject").GetString().ShouldBe(subject);
    }

    [Fact]
    public async Task Claims_that_change_the_profile_record_which_fields_once()
    {
        var subject = Unique.Subject();
        var email = Unique.Email();
        var me = await (await App.Client(App.Auth0.Token(subject, Unique.Claims(email, "Old Name"))).GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        var id = me.GetProperty("id").GetGuid();
        var renamed = App.Client(App.Auth0.Token(subject, Unique.Claims(email, "New Name")));

        (await renamed.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await renamed.GetAsync("/api/v1/auth/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var events = await App.EventsAboutAsync(id);
        events.Select(e => e.Action).ShouldBe(["user.provisioned", "user.profile_updated"]);
        ShouldBeBy(events[1], "user.profile_updated", id, "user", id.ToString(), null);
        events[1].DetailsJson.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["full_name"]);
        events[1].DetailsJson.GetProperty("source").GetString().ShouldBe("identity_provider");
        events[1].Details.ShouldNotContain("New Name");
    }

    [Fact]
    public async Task Patch_me_records_the_fields_it_set_and_a_refused_patch_nothing()
    {
        var user = await TestUser.CreateAsync(App);
        await (await user.Client().PatchAsync("/api/v1/auth/me", Body("""{"full_name":""}"""))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await App.EventsAboutAsync(user.Id)).Count.ShouldBe(1);

        (await user.Client().PatchAsync("/api/v1/auth/me", Body("""{"full_name":"Ada King","preferences":{"theme":"dark"}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var e = (await App.EventsAboutAsync(user.Id)).Last();
        ShouldBeBy(e, "user.profile_updated", user.Id, "user", user.Id.ToString(), null);
        e.DetailsJson.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["full_name", "preferences"]);
        e.Details.ShouldNotContain("Ada King");
        (await App.EventsAboutAsync(user.Id)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Disabling_and_enabling_record_one_event_each_and_a_repeat_or_refusal_none()
    {
        var (admin, adminId) = await AdminAsync();
        var target = await TestUser.CreateAsync(App);
        string User(Guid id) => $"/api/v1/admin/users/{id}";

        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":true}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(adminId), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PatchAsync(User(Guid.NewGuid()), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await App.EventsAboutAsync(target.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["user.disabled", "user.enabled"]);
        ShouldBeBy(events[0], "user.disabled", adminId, "user", target.Id.ToString(), null);
        ShouldBeBy(events[1], "user.enabled", adminId, "user", target.Id.ToString(), null);
        (await App.EventsByAsync(adminId)).Select(e => e.Action).ShouldBe(["user.provisioned", "user.disabled", "user.enabled"]);
    }

    [Fact]
    public async Task Adding_changing_and_removing_a_member_record_one_event_each_in_the_workspace()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var ws = owner.WorkspaceId;

        (await owner.PostAsync(Members(ws), new { email = other.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await owner.PostAsync(Members(ws), new { email = other.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await owner.PostAsync(Members(ws), new { email = Unique.Email(), role = "member" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await owner.Client().PatchJsonAsync(Member(ws, other.Id), new { role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PatchJsonAsync(Member(ws, other.Id), new { role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await owner.Client().PatchJsonAsync(Member(ws, owner.Id), new { role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await owner.Client().DeleteAsync(Member(ws, other.Id))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await owner.Client().DeleteAsync(Member(ws, other.Id))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await App.EventsAboutAsync(other.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["member.added", "member.role_changed", "member.removed"]);
        foreach (var e in events)
            ShouldBeBy(e, e.Action, owner.Id, "user", other.Id.ToString(), ws);
        events[0].DetailsJson.GetProperty("role").GetString().ShouldBe("member");
        events[1].DetailsJson.GetProperty("role").GetString().ShouldBe("admin");
        events[1].DetailsJson.GetProperty("previous_role").GetString().ShouldBe("member");
        events[2].DetailsJson.GetProperty("role").GetString().ShouldBe("admin");
        // The refused demotion of the last owner left no trace either.
        (await App.EventsAboutAsync(owner.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }

    [Fact]
    public async Task Creating_revealing_and_revoking_keys_record_one_event_each_without_secrets()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync(Keys, new { name = "audited", expires_in_days = 7 })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var keyId = created.GetProperty("id").GetGuid();
        var defaultKey = await App.ScalarAsync<Guid>("select id from api_keys where user_id = @id and is_default", new { id = user.Id });

        var revealed = await (await user.Client().PostAsync($"{Keys}/{defaultKey}/reveal", null)).ShouldBeOkJsonAsync();
        (await user.Client().PostAsync($"{Keys}/{defaultKey}/reveal", null)).StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await user.Client().DeleteAsync($"{Keys}/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await user.Client().DeleteAsync($"{Keys}/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await user.Client().DeleteAsync($"{Keys}/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var aboutKey = await App.EventsAboutAsync(keyId);
        aboutKey.Select(e => e.Action).ShouldBe(["api_key.created", "api_key.revoked"]);
        ShouldBeBy(aboutKey[0], "api_key.created", user.Id, "api_key", keyId.ToString(), user.WorkspaceId);
        aboutKey[0].DetailsJson.GetProperty("name").GetString().ShouldBe("audited");
        aboutKey[0].DetailsJson.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "expires_at"], ignoreOrder: true);
        ShouldBeBy(aboutKey[1], "api_key.revoked", user.Id, "api_key", keyId.ToString(), user.WorkspaceId);
        var reveal = (await App.EventsAboutAsync(defaultKey)).ShouldHaveSingleItem();
        ShouldBeBy(reveal, "api_key.revealed", user.Id, "api_key", defaultKey.ToString(), user.WorkspaceId);

        var everything = string.Join(" ", (await App.EventsByAsync(user.Id)).Select(e => e.Details));
        everything.ShouldNotContain(created.GetProperty("key").GetString()!);
        everything.ShouldNotContain(created.GetProperty("prefix").GetString()!);
        everything.ShouldNotContain(revealed.GetProperty("key").GetString()!);
    }

    [Fact]
    public async Task A_key_revoked_with_itself_names_the_key_as_the_actor()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync(Keys, new { name = "self" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var keyId = created.GetProperty("id").GetGuid();

        (await App.Client(apiKey: created.GetProperty("key").GetString()).DeleteAsync($"{Keys}/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var e = (await App.EventsAboutAsync(keyId)).Last();
        ShouldBeBy(e, "api_key.revoked", user.Id, "api_key", keyId.ToString(), user.WorkspaceId, method: "api_key");
        e.ActorApiKeyId.ShouldBe(keyId);
    }

    [Fact]
    public async Task A_change_refused_for_lack_of_rights_records_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var third = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId });

        (await member.PostAsync(Members(owner.WorkspaceId), new { email = third.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.Client().DeleteAsync(Member(owner.WorkspaceId, owner.Id))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await third.Client().DeleteAsync($"{Keys}/{await App.ScalarAsync<Guid>("select id from api_keys where user_id = @id", new { id = owner.Id })}"))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(before);
        (await App.EventsByAsync(member.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
        (await App.EventsByAsync(third.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }
}
