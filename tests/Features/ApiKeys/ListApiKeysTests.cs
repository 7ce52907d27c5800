using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using ListApiKeys = Gatehouse.Features.ApiKeys.ListApiKeys;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.ApiKeys;

public sealed class ListApiKeysTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Keys => Route.To<ListApiKeys.Endpoint>();

    [Fact]
    public async Task Missing_credentials_are_401()
    {
        (await App.Client().GetAsync(Keys)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_is_listed_without_its_secret_with_when_it_was_last_used()
    {
        var user = await TestUser.CreateAsync(App);
        var key = (await user.CreateApiKeyAsync(new { name = "deploys", expires_in_days = 30 })).GetProperty("key").GetString()!;
        (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

        var listResponse = await user.Client().GetAsync(Keys);
        var listBody = await listResponse.Content.ReadAsStringAsync();
        listBody.ShouldNotContain(key);
        var listed = JsonDocument.Parse(listBody).RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "deploys");
        listed.GetProperty("last_used_at").ValueKind.ShouldBe(JsonValueKind.String);
        listed.GetProperty("revealable").GetBoolean().ShouldBeFalse();
    }
}
