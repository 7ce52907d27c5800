using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using RevealApiKey = Gatehouse.Features.ApiKeys.RevealApiKey;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.ApiKeys;

public sealed class CreateApiKeyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Keys => Route.To<CreateApiKey.Endpoint>();

    [Fact]
    public async Task Missing_credentials_are_401()
    {
        (await App.Client().PostAsJsonAsync(Keys, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":"ok","expires_in_days":0}""", "expires_in_days")]
    [InlineData("""{"name":"ok","expires_in_days":366}""", "expires_in_days")]
    public async Task Create_with_invalid_fields_is_400_and_creates_nothing(string body, string field)
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.Client().PostAsync(Keys, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await App.ScalarAsync<int>("select count(*) from api_keys where user_id = @id", new { id = user.Id })).ShouldBe(1);
    }

    [Fact]
    public async Task A_created_key_is_shown_once_and_authenticates_as_its_user_in_its_workspace()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "deploys", expires_in_days = 30 });
        var key = created.GetProperty("key").GetString()!;
        key.ShouldStartWith("gh_");
        key.Length.ShouldBeGreaterThanOrEqualTo(3 + 43);
        key.ShouldStartWith(created.GetProperty("prefix").GetString()!);
        created.GetProperty("workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
        created.GetProperty("expires_at").GetDateTimeOffset().ShouldBeInRange(DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        var me = await (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();
        me.GetProperty("id").GetGuid().ShouldBe(user.Id);
        me.GetProperty("auth_method").GetString().ShouldBe("api_key");
        me.GetProperty("organization_id").GetGuid().ShouldBe(user.WorkspaceId);
        me.GetProperty("permissions").GetArrayLength().ShouldBe(0);
        (await App.ScalarAsync<int>("select count(*) from api_keys where key_hash = sha256(convert_to(@key, 'UTF8'))", new { key })).ShouldBe(1);
    }

    [Fact]
    public async Task An_api_key_cannot_create_keys()
    {
        var user = await TestUser.CreateAsync(App);
        var key = (await user.CreateApiKeyAsync()).GetProperty("key").GetString()!;
        var defaultKey = await user.DefaultApiKeyIdAsync();

        await (await App.Client(apiKey: key).PostAsJsonAsync(Keys, new { name = "child" })).ShouldBeRefusedForApiKeysAsync();

        (await App.ScalarAsync<int>("select count(*) from api_keys where user_id = @id", new { id = user.Id })).ShouldBe(2);
        (await App.ScalarAsync<bool>("select sealed_key is not null from api_keys where id = @id", new { id = defaultKey })).ShouldBeTrue();
    }

    [Fact]
    public async Task Creating_a_key_records_one_event_without_its_secret()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "audited", expires_in_days = 7 });
        var keyId = created.GetProperty("id").GetGuid();

        var aboutKey = await App.EventsAboutAsync(keyId);
        aboutKey.Select(e => e.Action).ShouldBe(["api_key.created"]);
        aboutKey[0].ShouldBeBy("api_key.created", user.Id, "api_key", keyId.ToString(), user.WorkspaceId);
        aboutKey[0].DetailsJson.GetProperty("name").GetString().ShouldBe("audited");
        aboutKey[0].DetailsJson.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "expires_at"], ignoreOrder: true);

        var everything = string.Join(" ", (await App.EventsByAsync(user.Id)).Select(e => e.Details));
        everything.ShouldNotContain(created.GetProperty("key").GetString()!);
        everything.ShouldNotContain(created.GetProperty("prefix").GetString()!);
    }
}
