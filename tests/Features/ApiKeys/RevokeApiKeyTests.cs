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
}
