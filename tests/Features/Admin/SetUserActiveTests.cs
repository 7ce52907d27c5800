using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Support;
using SetUserActive = Gatehouse.Features.Admin.SetUserActive;
using ListUsers = Gatehouse.Features.Admin.ListUsers;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.Admin;

public sealed class SetUserActiveTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string User(Guid id) => Route.To<SetUserActive.Endpoint>(new { id });
    private static string MeRoute => Route.To<Me.Endpoint>();

    /// <summary>The whole row as text: any change to it, updated_at included, shows.</summary>
    private Task<string> RowAsync(Guid id) => App.ScalarAsync<string>("select u::text from users u where id = @id", new { id });

    private static StringContent Body(string raw) => HttpAssertions.Json(raw);

    [Fact]
    public async Task Missing_token_is_401_and_nothing_changes()
    {
        var target = await TestUser.CreateAsync(App);
        var before = await RowAsync(target.Id);
        (await App.Client().PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await RowAsync(target.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task Without_the_permission_it_is_403_and_nothing_changes()
    {
        var target = await TestUser.CreateAsync(App);
        var plain = await TestUser.CreateAsync(App);
        var before = await RowAsync(target.Id);
        var response = await plain.Client().PatchAsync(User(target.Id), Body("""{"is_active":false}"""));
        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer error=\"insufficient_scope\"");
        (await RowAsync(target.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task An_admins_api_key_is_403_and_nothing_changes()
    {
        var (admin, _) = await App.AdminAsync();
        var created = await (await admin.PostAsync(Route.To<CreateApiKey.Endpoint>(), Body("""{"name":"admin key"}"""))).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var target = await TestUser.CreateAsync(App);
        var before = await RowAsync(target.Id);

        var response = await App.Client(apiKey: created.GetProperty("key").GetString()).PatchAsync(User(target.Id), Body("""{"is_active":false}"""));

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await RowAsync(target.Id)).ShouldBe(before);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"is_active":null}""")]
    [InlineData("""{"is_active":"false"}""")]
    [InlineData("""{"is_active":0}""")]
    [InlineData("""{"is_active":false,"is_superuser":true}""")]
    [InlineData("""{"Is_Active":false}""")]
    [InlineData("not json")]
    public async Task An_invalid_body_is_400_and_nothing_changes(string body)
    {
        var (admin, _) = await App.AdminAsync();
        var target = await TestUser.CreateAsync(App);
        var before = await RowAsync(target.Id);
        await (await admin.PatchAsync(User(target.Id), Body(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await RowAsync(target.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task An_unknown_user_is_404()
    {
        var (admin, _) = await App.AdminAsync();
        var id = Guid.NewGuid();
        var problem = await (await admin.PatchAsync(User(id), Body("""{"is_active":false}"""))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString().ShouldBe("There is no user with that id.");
        (await App.ScalarAsync<long>("select count(*) from users where id = @id", new { id })).ShouldBe(0);
    }

    [Fact]
    public async Task An_admin_cannot_disable_themselves_409_and_nothing_changes()
    {
        var (admin, adminId) = await App.AdminAsync();
        var before = await RowAsync(adminId);
        await (await admin.PatchAsync(User(adminId), Body("""{"is_active":false}"""))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await RowAsync(adminId)).ShouldBe(before);
        (await admin.GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_disabled_users_token_and_key_are_refused_at_once_and_enabling_lets_them_back()
    {
        var (admin, _) = await App.AdminAsync();
        var target = await TestUser.CreateAsync(App, name: "Target Person");
        var created = await (await target.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "disabled" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var key = App.Client(apiKey: created.GetProperty("key").GetString());
        // Both are in this instance's cache now.
        (await target.Client().GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await key.GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var disabled = await (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).ShouldBeOkJsonAsync();

        disabled.GetProperty("id").GetGuid().ShouldBe(target.Id);
        disabled.GetProperty("email").GetString().ShouldBe(target.Email);
        disabled.GetProperty("full_name").GetString().ShouldBe("Target Person");
        disabled.GetProperty("is_active").GetBoolean().ShouldBeFalse();
        disabled.EnumerateObject().Select(p => p.Name)
            .ShouldBe(["id", "email", "email_verified", "full_name", "is_active", "is_superuser", "created_at"], ignoreOrder: true);
        (await App.ScalarAsync<bool>("select is_active from users where id = @id", new { id = target.Id })).ShouldBeFalse();
        await (await target.Client().GetAsync(MeRoute)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await key.GetAsync(MeRoute)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var enabled = await (await admin.PatchAsync(User(target.Id), Body("""{"is_active":true}"""))).ShouldBeOkJsonAsync();

        enabled.GetProperty("is_active").GetBoolean().ShouldBeTrue();
        (await target.Client().GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await key.GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_answer_is_the_user_as_the_admin_listing_shows_them()
    {
        var (admin, _) = await App.AdminAsync();
        var target = await TestUser.CreateAsync(App);
        var answer = await (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).ShouldBeOkJsonAsync();

        // The listing is in id order: the page after the id just before the target starts with the target.
        var previous = await App.ScalarAsync<Guid?>("select id from users where id < @id order by id desc limit 1", new { id = target.Id });
        var page = await (await admin.GetAsync($"{Route.To<ListUsers.Endpoint>()}?limit=1{(previous is { } p ? $"&after={p}" : "")}")).ShouldBeOkJsonAsync();
        page.GetProperty("items")[0].GetRawText().ShouldBe(answer.GetRawText());
    }

    [Fact]
    public async Task Disabling_and_enabling_record_one_event_each_and_a_repeat_or_refusal_none()
    {
        var (admin, adminId) = await App.AdminAsync();
        var target = await TestUser.CreateAsync(App);

        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(target.Id), Body("""{"is_active":true}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PatchAsync(User(adminId), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PatchAsync(User(Guid.NewGuid()), Body("""{"is_active":false}"""))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await App.EventsAboutAsync(target.Id)).Skip(1).ToList();
        events.Select(e => e.Action).ShouldBe(["user.disabled", "user.enabled"]);
        events[0].ShouldBeBy("user.disabled", adminId, "user", target.Id.ToString(), null);
        events[1].ShouldBeBy("user.enabled", adminId, "user", target.Id.ToString(), null);
        (await App.EventsByAsync(adminId)).Select(e => e.Action).ShouldBe(["user.provisioned", "user.disabled", "user.enabled"]);
    }
}

/// <summary>A user disabled through the in-process app is refused by another instance within the contract's 1 s.</summary>
public sealed class SetUserActiveAcrossInstancesTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess _there = null!;

    public async Task InitializeAsync() =>
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));

    public async Task DisposeAsync() => await _there.DisposeAsync();

    private HttpClient There(string? token = null, string? apiKey = null) => _there.Client(token, apiKey);
    private static string User(Guid id) => Route.To<SetUserActive.Endpoint>(new { id });
    private static string MeRoute => Route.To<Me.Endpoint>();

    [Fact]
    public async Task A_user_disabled_here_is_refused_there_within_a_second_for_tokens_and_keys()
    {
        var token = App.Auth0.Token(Unique.Subject(), new Dictionary<string, JsonNode?> { ["permissions"] = new JsonArray("admin:access") });
        var admin = App.Client(token);
        var target = await TestUser.CreateAsync(App);
        var created = await (await target.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "elsewhere" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        // Remembered there before the change.
        (await There(target.Token).GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await There(apiKey: key).GetAsync(MeRoute)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await admin.PatchAsync(User(target.Id), HttpAssertions.Json("""{"is_active":false}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        await Consistency.SeenWithinContractAsync(async () => (await There(target.Token).GetAsync(MeRoute)).StatusCode == HttpStatusCode.Forbidden);
        await Consistency.SeenWithinContractAsync(async () => (await There(apiKey: key).GetAsync(MeRoute)).StatusCode == HttpStatusCode.Forbidden);
    }
}
