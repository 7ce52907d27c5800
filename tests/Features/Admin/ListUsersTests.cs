using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Support;
using ListUsers = Gatehouse.Features.Admin.ListUsers;

namespace Gatehouse.Tests.Features.Admin;

public sealed class ListUsersTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Users => Route.To<ListUsers.Endpoint>();

    private string AdminToken(string claim) => claim switch
    {
        "permissions" => App.Auth0.Token(Unique.Subject(), new Dictionary<string, JsonNode?> { ["permissions"] = new JsonArray("admin:access") }),
        "scope" => App.Auth0.Token(Unique.Subject(), new Dictionary<string, JsonNode?> { ["scope"] = "openid admin:access" }),
        _ => App.Authentik.Token(Guid.NewGuid().ToString("N"), new Dictionary<string, JsonNode?> { ["groups"] = new JsonArray("admin:access") }),
    };

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().GetAsync(Users)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("permissions")]
    [InlineData("scope")]
    [InlineData("groups")]
    public async Task The_admin_permission_from_each_claim_is_enough(string claim)
    {
        var page = await (await App.Client(AdminToken(claim)).GetAsync(Users + "?limit=5")).ShouldBeOkJsonAsync();
        page.GetProperty("items").GetArrayLength().ShouldBeInRange(1, 5);
    }

    [Fact]
    public async Task Without_the_permission_it_is_403_insufficient_scope()
    {
        var response = await App.Client(App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Plain", true, "read:things"))).GetAsync(Users);
        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer error=\"insufficient_scope\"");
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=101")]
    [InlineData("?after=not-a-uuid")]
    public async Task Bad_paging_parameters_are_400(string query)
    {
        await (await App.Client(AdminToken("permissions")).GetAsync(Users + query)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Pages_follow_each_other_without_overlap()
    {
        for (var i = 0; i < 3; i++) await TestUser.CreateAsync(App);
        var client = App.Client(AdminToken("permissions"));

        var first = await (await client.GetAsync(Users + "?limit=2")).ShouldBeOkJsonAsync();
        var next = first.GetProperty("next").GetGuid();
        var second = await (await client.GetAsync($"{Users}?limit=2&after={next}")).ShouldBeOkJsonAsync();

        var firstIds = first.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetGuid()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetGuid()).ToList();
        firstIds.Count.ShouldBe(2);
        firstIds[^1].ShouldBe(next);
        secondIds.ShouldNotBeEmpty();
        secondIds.Intersect(firstIds).ShouldBeEmpty();
        secondIds.ShouldAllBe(id => id.CompareTo(next) > 0 || string.CompareOrdinal(id.ToString(), next.ToString()) > 0);
    }
}
