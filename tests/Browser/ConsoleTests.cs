using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Browser.Tests.Support;
using Microsoft.Playwright;

namespace Gatehouse.Browser.Tests;

/// <summary>
/// The console in web/ (built by ./test, served on a port of its own) against a real Gatehouse and the development
/// provider: login through the provider's page for each provider, the screens' calls, logout and back.
/// </summary>
[Collection(Stack.Collection)]
public sealed class ConsoleTests(Stack stack)
{
    [Theory]
    [InlineData("Auth0", "auth0")]
    [InlineData("Authentik", "authentik")]
    public Task Logs_in_creates_a_workspace_and_a_key_switches_and_logs_out(string label, string provider) =>
        stack.InBrowserAsync($"console-{provider}", async (_, page) =>
        {
            var email = $"console-{provider}-{Guid.NewGuid():N}@example.com";
            var apiCalls = new List<IRequest>();
            page.Request += (_, r) => { if (r.Url.StartsWith(stack.Api.BaseUrl + "/api/v1/", StringComparison.Ordinal)) apiCalls.Add(r); };
            // Every page the tab goes to, redirects included (a 302's hop is a request of its own).
            var visited = new List<string>();
            page.Request += (_, r) => { if (r.IsNavigationRequest) lock (visited) visited.Add(r.Url); };

            await LogInAsync(page, label, provider, email, "Console Tester");

            // The profile comes from GET /auth/me with the provider's token.
            await Expect(page.Locator("[data-field=email]")).ToHaveTextAsync(email);
            await Expect(page.Locator("[data-field=full_name]")).ToHaveTextAsync("Console Tester");
            await Expect(page.Locator("[data-field=auth_method]")).ToHaveTextAsync(provider);
            var defaultWorkspace = await page.Locator("[data-field=organization_id]").InnerTextAsync();
            var me = apiCalls.First(r => r.Url.EndsWith("/api/v1/auth/me", StringComparison.Ordinal));
            (await me.HeaderValueAsync("authorization") ?? "").ShouldStartWith("Bearer ");

            // A workspace.
            var workspace = $"Console {provider} {Guid.NewGuid():N}"[..30];
            await page.GetByLabel("New workspace name").FillAsync(workspace);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
            await Expect(page.Locator("#status")).ToHaveTextAsync($"Created workspace {workspace}.");
            await Expect(page.Locator("#workspaces table")).ToContainTextAsync(workspace);

            // The default key made at first login is revealed once, then no longer offered.
            var revealDefault = page.Locator("#api-keys").GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reveal ") });
            await revealDefault.ClickAsync();
            var defaultKey = await page.Locator("#revealed-key").InnerTextAsync();
            (await AuthMethodOfKeyAsync(defaultKey)).ShouldBe("api_key");
            await Expect(revealDefault).ToHaveCountAsync(0);

            // An API key, shown once: it authenticates, in the workspace it was made in.
            await page.GetByLabel("Key name").FillAsync("console key");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
            var key = await page.Locator("#revealed-key").InnerTextAsync();
            key.Length.ShouldBeGreaterThan(20);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy key" })).ToBeVisibleAsync();
            await Expect(page.Locator("#api-keys table")).ToContainTextAsync("console key");
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
            {
                request.Headers.Add("X-API-Key", key);
                var byKey = await Json(await stack.Api.Http.SendAsync(request), 200);
                byKey.GetProperty("auth_method").GetString().ShouldBe("api_key");
                byKey.GetProperty("email").GetString().ShouldBe(email);
                byKey.GetProperty("organization_id").GetString().ShouldBe(defaultWorkspace);
            }
            // Shown once: after a reload of the section the secret is gone from the page.
            await page.GetByLabel("Key name").FillAsync("second key");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
            await Expect(page.Locator("#api-keys table")).ToContainTextAsync("second key");
            (await page.ContentAsync()).ShouldNotContain(key);

            // Switching: every later call carries the new workspace, which is now the active one.
            await page.GetByLabel("Workspace for every call").SelectOptionAsync(new SelectOptionValue { Label = $"{workspace} (owner)" });
            apiCalls.Clear();
            await page.GetByRole(AriaRole.Button, new() { Name = "Switch workspace" }).ClickAsync();
            await Expect(page.Locator("#status")).ToHaveTextAsync($"Switched to {workspace}.");
            var switched = await page.Locator("[data-field=organization_id]").InnerTextAsync();
            switched.ShouldNotBe(defaultWorkspace);
            await Expect(page.Locator("[data-field=active_workspace_id]")).ToHaveTextAsync(switched);
            var keysCall = apiCalls.Last(r => r.Url.EndsWith("/api/v1/api-keys", StringComparison.Ordinal));
            (await keysCall.HeaderValueAsync("x-workspace-id")).ShouldBe(switched);
            // The keys are the new workspace's: none yet.
            await Expect(page.Locator("#api-keys")).ToContainTextAsync("API keys: none.");
            await Expect(page.Locator("#members table")).ToContainTextAsync(email);

            // An owner invites, sees the invitation pending, and revokes it (confirming the browser's dialog).
            page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
            var invitee = $"invitee-{Guid.NewGuid():N}@example.com";
            await page.GetByLabel("Invite by email").FillAsync(invitee);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
            await Expect(page.Locator("#status")).ToHaveTextAsync($"Invited {invitee}.");
            await Expect(page.Locator("#invitations table")).ToContainTextAsync(invitee);
            await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke the invitation for {invitee}" }).ClickAsync();
            await Expect(page.Locator("#invitations")).ToContainTextAsync("Pending invitations: none.");

            // Nothing of the session is stored in the browser: the tokens live in the page's memory.
            var stored = await page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie");
            stored.ShouldNotContain("access_token");
            stored.ShouldNotContain("refresh_token");

            // Logout goes through the provider's end-session endpoint and lands back on the console, logged out.
            lock (visited) visited.Clear();
            await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are not logged in" })).ToBeVisibleAsync();
            page.Url.ShouldBe(stack.Console.Url + "/");
            var endSession = provider == "auth0" ? stack.Idp.Auth0Url + "/v2/logout" : stack.Idp.AuthentikIssuer + "end-session/";
            string[] seen;
            lock (visited) seen = [.. visited];
            seen.ShouldContain(u => u.StartsWith(endSession, StringComparison.Ordinal), string.Join(", ", seen));
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Log in with {label}" })).ToBeVisibleAsync();
        });

    [Fact]
    public Task A_refused_call_shows_the_problem_detail() =>
        stack.InBrowserAsync("console-403", async (_, page) =>
        {
            // Alice-like owner of a workspace adds the tester as a plain member (both through the API, with minted tokens).
            var email = $"console-member-{Guid.NewGuid():N}@example.com";
            var member = await MintAsync("devidp|" + email, email, "Plain Member");
            await Json(await Send(HttpMethod.Get, "/api/v1/auth/me", member), 200);
            var owner = await MintAsync($"devidp|owner-{Guid.NewGuid():N}", $"owner-{Guid.NewGuid():N}@example.com", "Workspace Owner");
            var workspace = $"Owned {Guid.NewGuid():N}"[..20];
            var created = await Json(await Send(HttpMethod.Post, "/api/v1/workspaces", owner, new { name = workspace }), 201);
            var id = created.GetProperty("id").GetString();
            await Json(await Send(HttpMethod.Post, $"/api/v1/workspaces/{id}/invitations", owner, new { email, role = "member" }), 201);

            // The invitee accepts in the console and so becomes a plain member.
            await LogInAsync(page, "Auth0", "auth0", email, "Plain Member");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Accept the invitation to {workspace}" }).ClickAsync();
            await Expect(page.Locator("#status")).ToHaveTextAsync($"You joined {workspace}.");
            await Expect(page.Locator("#my-invitations")).ToContainTextAsync("Invitations for me: none.");

            // What Gatehouse says to a member reading the audit trail: the console must show these words.
            var refusal = await Json(await Send(HttpMethod.Get, $"/api/v1/workspaces/{id}/audit?limit=25", member), 403);
            var detail = refusal.GetProperty("detail").GetString()!;
            detail.ShouldNotBeNullOrWhiteSpace();
            await page.GetByLabel("Workspace for every call").SelectOptionAsync(new SelectOptionValue { Label = $"{workspace} (member)" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Switch workspace" }).ClickAsync();
            await Expect(page.Locator("#status")).ToHaveTextAsync($"Switched to {workspace}.");
            await Expect(page.Locator("#audit .problem")).ToHaveTextAsync($"Not allowed: {detail}");

            // An action refused: a member changing the owner's role gets the API's 403 in the alert line.
            var ownerRow = page.Locator("#members tr", new() { HasText = "Workspace Owner" });
            await ownerRow.GetByRole(AriaRole.Combobox).SelectOptionAsync("member");
            await ownerRow.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Change role of") }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not allowed: ");
        });

    [Fact]
    public Task A_refused_token_sends_back_to_login_with_a_readable_message() =>
        stack.InBrowserAsync("console-401", async (_, page) =>
        {
            var email = $"console-401-{Guid.NewGuid():N}@example.com";
            await LogInAsync(page, "Authentik", "authentik", email, "Refused Later");
            await Expect(page.Locator("[data-field=email]")).ToHaveTextAsync(email);

            // The token is refused from now on (as an expired or revoked one would be): Gatehouse answers 401 itself.
            await page.RouteAsync("**/api/v1/workspaces", async route =>
            {
                var headers = new Dictionary<string, string>(route.Request.Headers) { ["authorization"] = "Bearer not.a.token" };
                await route.ContinueAsync(new() { Headers = headers });
            });
            var response = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/v1/workspaces", StringComparison.Ordinal) && r.Request.Method == "POST");
            await page.GetByLabel("New workspace name").FillAsync("never made");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
            (await response).Status.ShouldBe(401);

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are not logged in" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Log in again.");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your session is not accepted");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log in with Authentik" })).ToBeFocusedAsync();
        });

    [Fact]
    public Task The_session_is_renewed_with_the_refresh_token_before_it_expires() =>
        stack.InBrowserAsync("console-renew", async (_, page) =>
        {
            // The page's clock is ours: an hour passes in a moment (the provider's tokens live an hour).
            await page.Clock.InstallAsync();
            var email = $"console-renew-{Guid.NewGuid():N}@example.com";
            var first = page.WaitForRequestAsync(r => r.Url.EndsWith("/api/v1/auth/me", StringComparison.Ordinal));
            await LogInAsync(page, "Auth0", "auth0", email, "Renewed User");
            var before = await (await first).HeaderValueAsync("authorization");

            var renewal = page.WaitForResponseAsync(r => r.Url == stack.Idp.Auth0Url + "/oauth/token"
                && (r.Request.PostData ?? "").Contains("grant_type=refresh_token", StringComparison.Ordinal));
            await page.Clock.FastForwardAsync("59:10");
            (await renewal).Status.ShouldBe(200);

            // The next call carries the renewed token, and Gatehouse takes it.
            var next = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/v1/workspaces", StringComparison.Ordinal) && r.Request.Method == "POST");
            await page.GetByLabel("New workspace name").FillAsync("after renewal");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
            var created = await next;
            created.Status.ShouldBe(201);
            var after = await created.Request.HeaderValueAsync("authorization");
            after.ShouldStartWith("Bearer ");
            after.ShouldNotBe(before);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log out" })).ToBeVisibleAsync();
        });

    [Fact]
    public async Task The_api_lets_the_console_read_retry_after()
    {
        // Retry-After is not a CORS-safelisted response header: the console can say how long to wait only if it is exposed.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/config");
        request.Headers.Add("Origin", stack.Console.Url);
        var response = await stack.Api.Http.SendAsync(request);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([stack.Console.Url]);
        response.Headers.GetValues("Access-Control-Expose-Headers").ShouldContain(v => v.Contains("Retry-After", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<string?> AuthMethodOfKeyAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Add("X-API-Key", key);
        return (await Json(await stack.Api.Http.SendAsync(request), 200)).GetProperty("auth_method").GetString();
    }

    /// <summary>Opens the console, picks the provider, and logs in on its page as someone typed in (a user of this test alone).</summary>
    private async Task LogInAsync(IPage page, string label, string provider, string email, string name)
    {
        await page.GotoAsync(stack.Console.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Log in with {label}" }).ClickAsync();
        // Committed is enough: the fields below are waited for (a page's load event can lag on a busy machine).
        await page.WaitForURLAsync(provider == "auth0" ? stack.Idp.Auth0Url + "/authorize**" : stack.Idp.AuthentikUrl + "/application/o/authorize/**",
            new() { WaitUntil = WaitUntilState.Commit });
        await Expect(page.Locator("p.warn")).ToContainTextAsync("development tool");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        // The code comes back to /callback; the console exchanges it (PKCE) and cleans the address (history, not a load).
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Log out" })).ToBeVisibleAsync();
        page.Url.ShouldBe(stack.Console.Url + "/");
    }

    private async Task<string> MintAsync(string sub, string email, string name)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(stack.Idp.Auth0Url + "/oauth/token", new { sub, email, name, email_verified = true });
        return (await Json(response, 200)).GetProperty("access_token").GetString()!;
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return stack.Api.Http.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
