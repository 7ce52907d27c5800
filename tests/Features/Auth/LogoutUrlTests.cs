using System.Net;
using Gatehouse.Tests.Support;
using LogoutUrl = Gatehouse.Features.Auth.LogoutUrl;

namespace Gatehouse.Tests.Features.Auth;

public sealed class LogoutUrlTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<string> LogoutUrlAsync(string query) =>
        (await (await App.Client().GetAsync(Route.To<LogoutUrl.Endpoint>() + query)).ShouldBeOkJsonAsync()).GetProperty("logout_url").GetString()!;

    [Fact]
    public async Task Auth0_logout_uses_v2_logout_with_client_id_and_the_default_return_to()
    {
        var url = await LogoutUrlAsync("?provider=auth0");
        url.ShouldBe($"{App.Auth0.Issuer}v2/logout?client_id={TestApp.Auth0ClientId}&returnTo={Uri.EscapeDataString(TestApp.LogoutRedirect)}");
    }

    [Fact]
    public async Task Authentik_logout_uses_the_end_session_endpoint_with_an_allow_listed_return_to()
    {
        var url = await LogoutUrlAsync($"?provider=authentik&return_to={Uri.EscapeDataString(TestApp.AllowedLogoutRedirect)}");
        url.ShouldStartWith(App.Authentik.Issuer + "end-session/?");
        url.ShouldContain("post_logout_redirect_uri=" + Uri.EscapeDataString(TestApp.AllowedLogoutRedirect));
    }

    [Theory]
    [InlineData("https://evil.example.com/")]
    [InlineData("https://app.example.com/signed-out/../../evil")]
    [InlineData("https://app.example.com.evil.com/")]
    [InlineData("//evil.example.com")]
    public async Task A_return_to_that_is_not_allow_listed_is_400(string returnTo)
    {
        var response = await App.Client().GetAsync($"{Route.To<LogoutUrl.Endpoint>()}?provider=auth0&return_to={Uri.EscapeDataString(returnTo)}");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("return_to", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task An_unknown_provider_is_400()
    {
        var response = await App.Client().GetAsync(Route.To<LogoutUrl.Endpoint>() + "?provider=okta");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("provider", out _).ShouldBeTrue();
    }
}
