using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Infrastructure.Auth.Provisioning;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Infrastructure.Auth.Provisioning;

public sealed class ProvisioningTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Me => Route.To<Me.Endpoint>();

    private async Task<System.Text.Json.JsonElement> MeAsync(string token) =>
        await (await App.Client(token).GetAsync(Me)).ShouldBeOkJsonAsync();

    [Fact]
    public async Task The_first_request_provisions_the_user_a_default_workspace_and_owner_membership()
    {
        var subject = Unique.Subject();
        var email = Unique.Email();
        var me = await MeAsync(App.Auth0.Token(subject, Unique.Claims(email, "Grace Hopper")));

        var userId = me.GetProperty("id").GetGuid();
        me.GetProperty("email").GetString().ShouldBe(email);
        me.GetProperty("full_name").GetString().ShouldBe("Grace Hopper");
        var workspace = me.GetProperty("organization_id").GetGuid();
        me.GetProperty("active_workspace_id").GetGuid().ShouldBe(workspace);
        (await App.ScalarAsync<string>("select name from workspaces where id = @workspace", new { workspace })).ShouldBe("Grace Hopper's workspace");
        (await App.ScalarAsync<string>("select role from workspace_members where workspace_id = @workspace and user_id = @userId",
            new { workspace, userId })).ShouldBe("owner");
    }

    [Fact]
    public async Task Fifty_concurrent_first_requests_of_one_subject_create_exactly_one_user_and_workspace()
    {
        var subject = Unique.Subject();
        var token = App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Burst"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => App.Client(token).GetAsync(Me)));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        (await App.ScalarAsync<int>("select count(*) from users where auth0_id = @subject", new { subject })).ShouldBe(1);
        (await App.ScalarAsync<int>("select count(*) from workspaces w join users u on u.id = w.created_by where u.auth0_id = @subject", new { subject })).ShouldBe(1);
        (await App.ScalarAsync<int>("select count(*) from workspace_members m join users u on u.id = m.user_id where u.auth0_id = @subject", new { subject })).ShouldBe(1);
    }

    [Fact]
    public async Task Two_hundred_distinct_new_subjects_at_once_all_succeed()
    {
        var prefix = $"auth0|burst-{Guid.NewGuid():N}-";
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            App.Client(App.Auth0.Token(prefix + i, Unique.Claims(Unique.Email(), $"User {i}"))).GetAsync(Me)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(200);
        (await App.ScalarAsync<int>("select count(*) from users where auth0_id like @p", new { p = prefix + "%" })).ShouldBe(200);
        (await App.ScalarAsync<int>("select count(*) from workspace_members m join users u on u.id = m.user_id where u.auth0_id like @p",
            new { p = prefix + "%" })).ShouldBe(200);
    }

    [Fact]
    public async Task A_repeated_request_with_unchanged_claims_writes_nothing()
    {
        var subject = Unique.Subject();
        var token = App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Steady State"));
        await MeAsync(token);
        const string RowVersions = """
            select u.xmin::text || '/' || m.xmin::text || '/' || w.xmin::text
            from users u join workspace_members m on m.user_id = u.id join workspaces w on w.id = m.workspace_id
            where u.auth0_id = @subject
            """;
        var before = await App.ScalarAsync<string>(RowVersions, new { subject });

        for (var i = 0; i < 3; i++)
            await MeAsync(token);

        (await App.ScalarAsync<string>(RowVersions, new { subject })).ShouldBe(before);
    }

    [Fact]
    public async Task Changed_claims_update_email_and_name_but_a_profile_name_survives_unchanged_claims()
    {
        var subject = Unique.Subject();
        await MeAsync(App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Old Name")));
        await App.ExecuteAsync("update users set full_name = 'Chosen In App' where auth0_id = @subject", new { subject });

        var same = await MeAsync(App.Auth0.Token(subject, Unique.Claims(null, "Old Name")));
        same.GetProperty("full_name").GetString().ShouldBe("Chosen In App");

        var newEmail = Unique.Email();
        var changed = await MeAsync(App.Auth0.Token(subject, Unique.Claims(newEmail, "New Name At IdP")));
        changed.GetProperty("full_name").GetString().ShouldBe("New Name At IdP");
        changed.GetProperty("email").GetString().ShouldBe(newEmail);
    }

    [Fact]
    public async Task An_existing_verified_user_is_linked_by_a_verified_email_case_insensitively()
    {
        var email = Unique.Email();
        var existing = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(email, "Linked")));

        var subject = Unique.Subject();
        var linked = await MeAsync(App.Auth0.Token(subject, Unique.Claims(email.ToUpperInvariant(), "Linked")));

        linked.GetProperty("id").GetGuid().ShouldBe(existing.GetProperty("id").GetGuid());
        (await App.ScalarAsync<Guid>("select id from users where auth0_id = @subject", new { subject }))
            .ShouldBe(existing.GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("token email not verified")]
    [InlineData("token email_verified is the string true")]
    [InlineData("existing email not verified")]
    public async Task No_link_without_verified_email_on_both_sides(string variant)
    {
        var email = Unique.Email();
        var existing = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"),
            Unique.Claims(email, "Existing", emailVerified: variant != "existing email not verified")));

        var claims = Unique.Claims(email, "Newcomer", emailVerified: variant != "token email not verified");
        if (variant == "token email_verified is the string true") claims["email_verified"] = "true";
        var newcomer = await MeAsync(App.Auth0.Token(Unique.Subject(), claims));

        newcomer.GetProperty("id").GetGuid().ShouldNotBe(existing.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_linked_identity_is_never_repointed_to_another_user()
    {
        var email = Unique.Email();
        var firstSubject = Unique.Subject();
        var first = await MeAsync(App.Auth0.Token(firstSubject, Unique.Claims(email, "First")));

        var second = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims(email, "Second")));

        second.GetProperty("id").GetGuid().ShouldNotBe(first.GetProperty("id").GetGuid());
        (await App.ScalarAsync<string>("select auth0_id from users where id = @id", new { id = first.GetProperty("id").GetGuid() }))
            .ShouldBe(firstSubject);
    }

    [Fact]
    public async Task The_system_mode_user_is_never_linked_and_a_token_with_its_email_gets_a_user_of_its_own()
    {
        var email = Unique.Email();
        // What system mode's start-up runs (SystemUser.EnsureAsync): FIRST_SUPERUSER with a verified email.
        var systemId = await App.ScalarAsync<Guid>("select ensure_superuser(@email, @id, @workspace)",
            new { email, id = Guid.CreateVersion7(), workspace = Guid.CreateVersion7() });

        var provisioned = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims(email.ToUpperInvariant(), "Look-alike")));

        provisioned.GetProperty("id").GetGuid().ShouldNotBe(systemId);
        (await App.ScalarAsync<bool>("select auth0_id is null and authentik_user_id is null and is_system_user from users where id = @systemId",
            new { systemId })).ShouldBeTrue();
        (await App.ScalarAsync<Guid>("select ensure_superuser(@email, @id, @workspace)",
            new { email, id = Guid.CreateVersion7(), workspace = Guid.CreateVersion7() })).ShouldBe(systemId);
    }

    [Fact]
    public async Task Namespaced_auth0_claims_count_and_a_token_without_email_still_provisions()
    {
        var namespaced = await MeAsync(App.Auth0.Token(Unique.Subject(), new Dictionary<string, JsonNode?>
        {
            [TestApp.ClaimNamespace + "email"] = "ns@example.com",
            [TestApp.ClaimNamespace + "name"] = "Name Spaced",
        }));
        namespaced.GetProperty("email").GetString().ShouldBe("ns@example.com");
        namespaced.GetProperty("full_name").GetString().ShouldBe("Name Spaced");

        var bare = await MeAsync(App.Auth0.Token(Unique.Subject()));
        bare.GetProperty("email").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Name_falls_back_to_preferred_username_then_email_and_long_values_are_truncated()
    {
        var preferred = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"),
            new Dictionary<string, JsonNode?> { ["preferred_username"] = "akadmin" }));
        preferred.GetProperty("full_name").GetString().ShouldBe("akadmin");

        var local = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims("local.part@example.com", null)));
        local.GetProperty("full_name").GetString().ShouldBe("local.part");

        var longName = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), new string('n', 500))));
        longName.GetProperty("full_name").GetString()!.Length.ShouldBe(200);
    }

    [Fact]
    public async Task With_account_linking_off_a_verified_email_match_provisions_a_new_user()
    {
        var email = Unique.Email();
        var existing = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(email, "Existing")));
        var env = TestApp.Environment(App.Db, App.Auth0, App.Authentik);
        env["ACCOUNT_LINKING"] = "off";
        await using var api = await ApiProcess.StartAsync(env);

        var subject = Unique.Subject();
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        request.Headers.Authorization = new("Bearer", App.Auth0.Token(subject, Unique.Claims(email, "Newcomer")));
        var newcomer = await (await api.Http.SendAsync(request)).ShouldBeOkJsonAsync();

        newcomer.GetProperty("id").GetGuid().ShouldNotBe(existing.GetProperty("id").GetGuid());
        (await App.ScalarAsync<string?>("select auth0_id from users where id = @id", new { id = existing.GetProperty("id").GetGuid() })).ShouldBeNull();
        (await App.ScalarAsync<Guid>("select id from users where auth0_id = @subject", new { subject })).ShouldBe(newcomer.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Account_linking_other_than_verified_email_or_off_refuses_to_start_naming_the_variable()
    {
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["ACCOUNT_LINKING"] = "by-username-please";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain("ACCOUNT_LINKING");
        output.ShouldNotContain("by-username-please");
    }

    [Fact]
    public async Task A_name_claim_holding_U0000_provisions_and_is_stored_without_it()
    {
        var subject = Unique.Subject();
        var token = App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Ada\u0000 Lovelace"));

        var me = await MeAsync(token);

        me.GetProperty("full_name").GetString().ShouldBe("Ada Lovelace");
        (await App.ScalarAsync<string>("select idp_name from users where auth0_id = @subject", new { subject })).ShouldBe("Ada Lovelace");
        (await App.Client(token).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_email_claim_that_had_to_be_cleaned_is_never_trusted_for_linking()
    {
        var email = Unique.Email();
        var existing = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(email, "Existing")));

        var subject = Unique.Subject();
        var newcomer = await MeAsync(App.Auth0.Token(subject, Unique.Claims(email.Insert(3, "\u0000"), "Newcomer")));

        newcomer.GetProperty("id").GetGuid().ShouldNotBe(existing.GetProperty("id").GetGuid());
        newcomer.GetProperty("email").GetString().ShouldBe(email);
        (await App.ScalarAsync<bool>("select email_verified from users where auth0_id = @subject", new { subject })).ShouldBeFalse();
    }

    [Fact]
    public async Task A_name_cut_to_its_limit_keeps_whole_characters_and_later_requests_still_work()
    {
        var subject = Unique.Subject();
        var token = App.Auth0.Token(subject, Unique.Claims(Unique.Email(), new string('n', 199) + "\U0001F600"));

        var me = await MeAsync(token);

        me.GetProperty("full_name").GetString().ShouldBe(new string('n', 199));
        (await App.Client(token).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_default_workspace_name_cut_to_its_limit_keeps_whole_characters()
    {
        var name = new string('w', 99) + "\U0001F600";
        var me = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), name)));

        me.GetProperty("full_name").GetString().ShouldBe(name);
        (await App.ScalarAsync<string>("select name from workspaces where id = @id", new { id = me.GetProperty("organization_id").GetGuid() }))
            .ShouldBe(new string('w', 99));
    }

    [Fact]
    public async Task First_login_records_user_provisioned_by_the_new_user_in_their_workspace()
    {
        var user = await TestUser.CreateAsync(App);
        var e = (await App.EventsAboutAsync(user.Id)).ShouldHaveSingleItem();
        e.ShouldBeBy("user.provisioned", user.Id, "user", user.Id.ToString(), user.WorkspaceId);
        e.DetailsJson.GetProperty("provider").GetString().ShouldBe("auth0");
        // The default workspace and key come with the user: no events of their own.
        (await App.EventsByAsync(user.Id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_authentik_first_login_names_its_provider()
    {
        var me = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(Unique.Email(), "Kit")));
        var id = me.GetProperty("id").GetGuid();
        var e = (await App.EventsAboutAsync(id)).ShouldHaveSingleItem();
        e.ShouldBeBy("user.provisioned", id, "user", id.ToString(), me.GetProperty("organization_id").GetGuid(), method: "authentik");
    }

    [Fact]
    public async Task Linking_an_identity_by_verified_email_records_user_linked()
    {
        var email = Unique.Email();
        var existing = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), Unique.Claims(email, "Linked")));
        var id = existing.GetProperty("id").GetGuid();
        var subject = Unique.Subject();

        (await App.Client(App.Auth0.Token(subject, Unique.Claims(email, "Linked"))).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var events = await App.EventsAboutAsync(id);
        events.Select(e => e.Action).ShouldBe(["user.provisioned", "user.linked"]);
        events[1].ShouldBeBy("user.linked", id, "user", id.ToString(), null);
        events[1].DetailsJson.GetProperty("provider").GetString().ShouldBe("auth0");
        events[1].DetailsJson.GetProperty("subject").GetString().ShouldBe(subject);
    }

    [Fact]
    public async Task Claims_that_change_the_profile_record_which_fields_once()
    {
        var subject = Unique.Subject();
        var email = Unique.Email();
        var me = await MeAsync(App.Auth0.Token(subject, Unique.Claims(email, "Old Name")));
        var id = me.GetProperty("id").GetGuid();
        var renamed = App.Client(App.Auth0.Token(subject, Unique.Claims(email, "New Name")));

        (await renamed.GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await renamed.GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var events = await App.EventsAboutAsync(id);
        events.Select(e => e.Action).ShouldBe(["user.provisioned", "user.profile_updated"]);
        events[1].ShouldBeBy("user.profile_updated", id, "user", id.ToString(), null);
        events[1].DetailsJson.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["full_name"]);
        events[1].DetailsJson.GetProperty("source").GetString().ShouldBe("identity_provider");
        events[1].Details.ShouldNotContain("New Name");
    }
}
