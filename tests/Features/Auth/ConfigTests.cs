using Gatehouse.Tests.Support;
using Config = Gatehouse.Features.Auth.Config;

namespace Gatehouse.Tests.Features.Auth;

public sealed class ConfigTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Both_providers_are_described_auth0_first_and_no_secret_is_included()
    {
        var app = fixture.App;
        var response = await app.Client().GetAsync(Route.To<Config.Endpoint>());
        var body = await response.Content.ReadAsStringAsync();
        var config = await response.ShouldBeOkJsonAsync();

        config.GetProperty("enabled").GetBoolean().ShouldBeTrue();
        config.GetProperty("client_id").GetString().ShouldBe(TestApp.Auth0ClientId);
        config.GetProperty("audience").GetString().ShouldBe(app.Auth0.Audience);
        var providers = config.GetProperty("providers").EnumerateArray().ToList();
        providers.Select(p => p.GetProperty("name").GetString()).ShouldBe(["auth0", "authentik"]);
        providers[0].GetProperty("authorization_endpoint").GetString().ShouldBe(app.Auth0.Issuer + "authorize");
        providers[0].GetProperty("end_session_endpoint").GetString().ShouldBe(app.Auth0.Issuer + "v2/logout");
        providers[1].GetProperty("issuer").GetString().ShouldBe(app.Authentik.Issuer);
        providers[1].GetProperty("end_session_endpoint").GetString().ShouldBe(app.Authentik.Issuer + "end-session/");
        providers[1].GetProperty("authorization_endpoint").GetString()!.ShouldEndWith("/application/o/authorize/");
        body.ShouldNotContain("secret", Case.Insensitive);
    }
}
