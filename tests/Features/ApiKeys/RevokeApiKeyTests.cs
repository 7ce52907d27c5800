using System.Net;
using Gatehouse.Tests.Support;
using RevokeApiKey = Gatehouse.Features.ApiKeys.RevokeApiKey;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.ApiKeys;

public sealed class RevokeApiKeyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Key(Guid id) => Route.To<RevokeApiKey.Endpoint>(new { id });

    [Fact]
    public async Task Missing_credentials_are_401()
    {
        (await App.Client().DeleteAsync(Key(Guid.NewGuid()))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_key_stops_working()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "deploys", expires_in_days = 30 });
        var key = created.GetProperty("key").GetString()!;
        (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await user.Client().DeleteAsync(Key(created.GetProperty("id").GetGuid()))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var after = await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>());
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        after.Headers.WwwAuthenticate.ToString().ShouldContain("ApiKey");
    }

    [Fact]
    public async Task Another_users_key_is_404_and_keeps_working()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var created = await owner.CreateApiKeyAsync();

        await (await other.Client().DeleteAsync(Key(created.GetProperty("id").GetGuid()))).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await App.Client(apiKey: created.GetProperty("key").GetString()).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoking_a_key_records_one_event_and_a_repeat_or_unknown_key_none()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "audited", expires_in_days = 7 });
        var keyId = created.GetProperty("id").GetGuid();

        (await user.Client().DeleteAsync(Key(keyId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await user.Client().DeleteAsync(Key(keyId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await user.Client().DeleteAsync(Key(Guid.NewGuid()))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var aboutKey = await App.EventsAboutAsync(keyId);
        aboutKey.Select(e => e.Action).ShouldBe(["api_key.created", "api_key.revoked"]);
        aboutKey[1].ShouldBeBy("api_key.revoked", user.Id, "api_key", keyId.ToString(), user.WorkspaceId);
    }

    [Fact]
    public async Task A_key_revoked_with_itself_names_the_key_as_the_actor()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "self" });
        var keyId = created.GetProperty("id").GetGuid();

        (await App.Client(apiKey: created.GetProperty("key").GetString()).DeleteAsync(Key(keyId))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var e = (await App.EventsAboutAsync(keyId)).Last();
        e.ShouldBeBy("api_key.revoked", user.Id, "api_key", keyId.ToString(), user.WorkspaceId, method: "api_key");
        e.ActorApiKeyId.ShouldBe(keyId);
    }

    [Fact]
    public async Task A_revocation_of_another_users_key_records_nothing()
    {
        var owner = await TestUser.CreateAsync(App);
        var third = await TestUser.CreateAsync(App);
        var before = await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId });

        (await third.Client().DeleteAsync(Key(await App.ScalarAsync<Guid>("select id from api_keys where user_id = @id", new { id = owner.Id }))))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await App.ScalarAsync<long>("select count(*) from audit_events where workspace_id = @ws", new { ws = owner.WorkspaceId })).ShouldBe(before);
        (await App.EventsByAsync(third.Id)).Select(e => e.Action).ShouldBe(["user.provisioned"]);
    }
}
