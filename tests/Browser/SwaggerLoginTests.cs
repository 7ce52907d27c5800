using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Browser.Tests.Support;
using Microsoft.Playwright;

namespace Gatehouse.Browser.Tests;

/// <summary>
/// Swagger UI served by Gatehouse logs in through the development provider's page (authorization code with
/// PKCE), calls GET /auth/me with the token it got, and logging out through the provider lands on an allowed URL.
/// </summary>
[Collection(Stack.Collection)]
public sealed class SwaggerLoginTests(Stack stack)
{
    [Theory]
    [InlineData("Auth0", "auth0")]
    [InlineData("Authentik", "authentik")]
    public Task Swagger_ui_logs_in_at_the_provider_and_calls_auth_me(string scheme, string provider) =>
        stack.InBrowserAsync($"swagger-login-{provider}", async (_, page) =>
        {
            await page.GotoAsync(stack.SwaggerUrl);
            await page.Locator("button.authorize").First.ClickAsync();
            // One .auth-container per scheme, named by its h4 ("Auth0 (OAuth2, authorizationCode with PKCE)").
            var section = page.Locator(".auth-container").Filter(new() { Has = page.Locator("h4", new() { HasTextRegex = new Regex($@"^\s*{scheme}\s*\(OAuth2") }) });
            // Swagger UI labels the button "Apply given OAuth2 credentials" for assistive tech; its text says Authorize.
            var authorize = section.Locator("button.authorize", new() { HasText = "Authorize" });
            await authorize.ScrollIntoViewIfNeededAsync();

            // The provider's page opens in a popup; picking a seeded user sends the code back to oauth2-redirect.html.
            var popup = await page.RunAndWaitForPopupAsync(() => authorize.ClickAsync());
            await popup.WaitForLoadStateAsync();
            popup.Url.ShouldStartWith(provider == "auth0" ? stack.Idp.Auth0Url + "/authorize" : stack.Idp.AuthentikUrl + "/application/o/authorize/");
            (await popup.ContentAsync()).ShouldContain("development tool");
            await popup.GetByRole(AriaRole.Button, new() { Name = "Log in as Bob Builder" }).ClickAsync();

            // Swagger UI exchanges the code (with its PKCE verifier) and shows the scheme as authorized.
            await section.Locator("button.authorize", new() { HasText = "Logout" }).WaitForAsync();
            await section.Locator("button.btn-done").ClickAsync();

            // The operations are listed under collapsed tags (docExpansion none): open them all.
            foreach (var tag in await page.Locator("h3.opblock-tag[data-is-open='false']").AllAsync())
                await tag.ClickAsync();
            var me = page.Locator(".opblock-get").Filter(new() { Has = page.Locator(".opblock-summary-path[data-path='/api/v1/auth/me']") });
            await me.Locator(".opblock-summary").ClickAsync();
            // tryItOutEnabled opens the form already (its button then says Cancel); otherwise open it.
            var tryOut = me.Locator(".try-out__btn", new() { HasText = "Try it out" });
            if (await tryOut.CountAsync() > 0)
                await tryOut.ClickAsync();
            var response = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/v1/auth/me", StringComparison.Ordinal));
            await me.Locator(".execute").ClickAsync();
            var result = await response;
            result.Status.ShouldBe(200);
            var body = JsonDocument.Parse(await result.TextAsync()).RootElement;
            body.GetProperty("email").GetString().ShouldBe("bob@example.com");
            body.GetProperty("auth_method").GetString().ShouldBe(provider);
            (await result.Request.HeaderValueAsync("authorization") ?? "").ShouldStartWith("Bearer ");
            await me.Locator(".live-responses-table .response-col_status").First.WaitForAsync();
            (await me.Locator(".live-responses-table").InnerTextAsync()).ShouldContain("bob@example.com");
        });

    [Theory]
    [InlineData("auth0")]
    [InlineData("authentik")]
    public Task Logging_out_through_the_provider_returns_to_the_allowed_url(string provider) =>
        stack.InBrowserAsync($"logout-{provider}", async (_, page) =>
        {
            // The URL as Gatehouse's GET /auth/logout builds it for each provider (its port is only known once it runs).
            var returnTo = stack.SwaggerUrl;
            var url = provider == "auth0"
                ? $"{stack.Idp.Auth0Url}/v2/logout?client_id={DevIdpProcess.ClientId}&returnTo={Uri.EscapeDataString(returnTo)}"
                : $"{stack.Idp.AuthentikIssuer}end-session/?client_id={DevIdpProcess.ClientId}&post_logout_redirect_uri={Uri.EscapeDataString(returnTo)}";

            await page.GotoAsync(url);
            page.Url.ShouldStartWith(returnTo);
            (await page.TitleAsync()).ShouldContain("Swagger UI");
        });

    [Theory]
    [InlineData("auth0")]
    [InlineData("authentik")]
    public async Task The_provider_refuses_to_return_to_an_unregistered_url(string provider)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = provider == "auth0"
            ? $"{stack.Idp.Auth0Url}/v2/logout?client_id={DevIdpProcess.ClientId}&returnTo={Uri.EscapeDataString("https://evil.example/")}"
            : $"{stack.Idp.AuthentikIssuer}end-session/?client_id={DevIdpProcess.ClientId}&post_logout_redirect_uri={Uri.EscapeDataString("https://evil.example/")}";
        var response = await http.GetAsync(url);
        ((int)response.StatusCode).ShouldBe(400);
        response.Headers.Location.ShouldBeNull();
    }
}

internal static class HttpJson
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient http, string url)
    {
        var response = await http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement;
    }
}
