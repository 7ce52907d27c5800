using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Browser.Tests.Support;

namespace Gatehouse.Browser.Tests;

/// <summary>The development provider without a browser: its JSON minting for curl, and where it refuses to run.</summary>
[Collection(Stack.Collection)]
public sealed class DevIdpTests(Stack stack)
{
    private async Task<string> MintAsync(string tokenUrl, object body)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(tokenUrl, body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!;
    }

    private static JsonElement Payload(string token) =>
        JsonDocument.Parse(Convert.FromBase64String(Pad(token.Split('.')[1].Replace('-', '+').Replace('_', '/')))).RootElement;

    private static string Pad(string base64) => base64 + new string('=', (4 - base64.Length % 4) % 4);

    [Fact]
    public async Task Minting_for_a_subject_without_email_or_name_leaves_them_out()
    {
        var payload = Payload(await MintAsync(stack.Idp.Auth0Url + "/oauth/token", new { sub = "devidp|dave" }));
        payload.GetProperty("sub").GetString().ShouldBe("devidp|dave");
        var names = payload.EnumerateObject().Select(p => p.Name).ToList();
        names.ShouldNotContain(n => n.EndsWith("email") || n.EndsWith("name"), string.Join(", ", names));
        payload.ToString().ShouldNotContain("alice");

        // A seeded subject gets its own profile, not Alice's.
        var bob = Payload(await MintAsync(stack.Idp.Auth0Url + "/oauth/token", new { sub = "devidp|bob" }));
        bob.GetProperty(DevIdpProcess.ClaimNamespace + "email").GetString().ShouldBe("bob@example.com");
    }

    [Theory]
    [InlineData("auth0")]
    [InlineData("authentik")]
    public async Task A_minted_token_is_accepted_by_gatehouse_with_the_given_profile(string provider)
    {
        var email = $"minted-{provider}-{Guid.NewGuid():N}@example.com";
        var tokenUrl = provider == "auth0" ? stack.Idp.Auth0Url + "/oauth/token" : stack.Idp.AuthentikUrl + "/application/o/token/";
        var token = await MintAsync(tokenUrl, new { sub = "devidp|" + email, email, name = "Minted User" });
        var payload = Payload(token);
        if (provider == "authentik")
        {
            payload.GetProperty("aud").GetString().ShouldBe(DevIdpProcess.ClientId);
            payload.GetProperty("email_verified").GetBoolean().ShouldBeTrue();
            payload.GetProperty("groups").ValueKind.ShouldBe(JsonValueKind.Array);
        }
        else
        {
            payload.GetProperty("aud").GetString().ShouldBe(DevIdpProcess.Audience);
            payload.GetProperty("permissions").ValueKind.ShouldBe(JsonValueKind.Array);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await stack.Api.Http.SendAsync(request);
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        ((int)response.StatusCode).ShouldBe(200, me.ToString());
        me.GetProperty("email").GetString().ShouldBe(email);
        me.GetProperty("full_name").GetString().ShouldBe("Minted User");
        me.GetProperty("auth_method").GetString().ShouldBe(provider);
    }

    [Theory]
    [InlineData("Production", null)]
    [InlineData("Staging", null)]
    [InlineData(null, "Production")]
    [InlineData(null, null)]
    public async Task It_refuses_to_start_outside_development(string? aspnetcore, string? dotnet)
    {
        var keys = Directory.CreateTempSubdirectory("devidp-refuse-");
        try
        {
            var (exitCode, output) = await DevIdpProcess.RunAsync(new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = aspnetcore,
                ["DOTNET_ENVIRONMENT"] = dotnet,
                ["DEVIDP_AUTH0_URL"] = $"http://127.0.0.1:{Gatehouse.Tests.Support.ApiProcess.FreePort()}",
                ["DEVIDP_AUTHENTIK_URL"] = $"http://127.0.0.1:{Gatehouse.Tests.Support.ApiProcess.FreePort()}",
                ["DEVIDP_KEY_FILE"] = Path.Combine(keys.FullName, "key.pem"),
            });
            exitCode.ShouldNotBe(0, output);
            output.ShouldContain("refuses to start");
            output.ShouldContain("Development");
            // It stopped before making keys: nothing was set up.
            File.Exists(Path.Combine(keys.FullName, "key.pem")).ShouldBeFalse();
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }
}
