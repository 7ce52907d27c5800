using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;

namespace Gatehouse.Tests.Features.Profile;

public sealed class MeTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string MeRoute => Route.To<Me.Endpoint>();

    private async Task<JsonElement> MeAsync(string token) =>
        await (await App.Client(token).GetAsync(MeRoute)).ShouldBeOkJsonAsync();

    [Fact]
    public async Task Missing_token_is_401_with_a_bearer_challenge()
    {
        var response = await App.Client().GetAsync(MeRoute);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task The_profile_has_exactly_the_contracts_fields_with_their_types()
    {
        var email = Unique.Email();
        var me = await MeAsync(App.Auth0.Token(Unique.Subject(), Unique.Claims(email, "Ada Lovelace", emailVerified: true, "read:reports")));

        me.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["id", "email", "full_name", "avatar_url", "preferences", "auth_method", "organization_id", "active_workspace_id", "permissions", "is_active"],
            ignoreOrder: true);
        me.GetProperty("id").GetGuid().ShouldNotBe(Guid.Empty);
        me.GetProperty("email").GetString().ShouldBe(email);
        me.GetProperty("full_name").GetString().ShouldBe("Ada Lovelace");
        me.GetProperty("avatar_url").ValueKind.ShouldBe(JsonValueKind.Null);
        me.GetProperty("preferences").ValueKind.ShouldBe(JsonValueKind.Object);
        me.GetProperty("preferences").EnumerateObject().ShouldBeEmpty();
        me.GetProperty("auth_method").GetString().ShouldBe("auth0");
        me.GetProperty("organization_id").GetGuid().ShouldBe(me.GetProperty("active_workspace_id").GetGuid());
        me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["read:reports"]);
        me.GetProperty("is_active").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Organization_id_is_the_requests_workspace_and_active_workspace_id_the_default()
    {
        var user = await TestUser.CreateAsync(App);
        var second = (await (await user.PostAsync(Route.To<CreateWorkspace.Endpoint>(), new { name = "second" })).ShouldBeOkJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var me = await (await user.Client(workspace: second).GetAsync(MeRoute)).ShouldBeOkJsonAsync();

        me.GetProperty("organization_id").GetGuid().ShouldBe(second);
        me.GetProperty("active_workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
    }

    [Fact]
    public async Task Permissions_come_from_permissions_scope_and_groups()
    {
        var auth0 = await MeAsync(App.Auth0.Token(Unique.Subject(), new Dictionary<string, JsonNode?>
        {
            ["permissions"] = new JsonArray("read:a"), ["scope"] = "openid write:b",
        }));
        auth0.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["openid", "read:a", "write:b"], ignoreOrder: true);

        var authentik = await MeAsync(App.Authentik.Token(Guid.NewGuid().ToString("N"), new Dictionary<string, JsonNode?>
        {
            ["groups"] = new JsonArray("admins"),
        }));
        authentik.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldContain("admins");
    }
}
