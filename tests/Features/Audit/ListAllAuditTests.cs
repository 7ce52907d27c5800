using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using static Gatehouse.Tests.Features.Audit.AuditCalls;
using ListAllAudit = Gatehouse.Features.Audit.ListAllAudit;

namespace Gatehouse.Tests.Features.Audit;

public sealed class ListAllAuditTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string AdminAudit => Route.To<ListAllAudit.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().GetAsync(AdminAudit)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=101")]
    [InlineData("?limit=ten")]
    [InlineData("?after=0")]
    [InlineData("?after=abc")]
    [InlineData("?since=1")]
    public async Task Bad_query_parameters_are_400(string query)
    {
        var (admin, _) = await App.AdminAsync();
        await (await admin.GetAsync(AdminAudit + query)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("?action=user.deleted")]
    [InlineData("?action=")]
    [InlineData("?actor_user_id=nope")]
    public async Task Bad_admin_filters_are_400(string query)
    {
        var (admin, _) = await App.AdminAsync();
        await (await admin.GetAsync(AdminAudit + query)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_admin_listing_needs_the_permission()
    {
        var plain = await TestUser.CreateAsync(App);
        await (await plain.Client().GetAsync(AdminAudit)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_admin_listing_filters_by_action_and_actor_and_pages()
    {
        var (owner, keys) = await App.BusyWorkspaceAsync();
        var (admin, _) = await App.AdminAsync();

        var byOwner = await (await admin.GetAsync($"{AdminAudit}?actor_user_id={owner.Id}&action=api_key.created&limit=2")).ShouldBeOkJsonAsync();
        Items(byOwner).Select(e => e.GetProperty("target").GetProperty("id").GetString()).ShouldBe([keys[2].ToString(), keys[1].ToString()]);
        var rest = await (await admin.GetAsync($"{AdminAudit}?actor_user_id={owner.Id}&action=api_key.created&limit=2&after={byOwner.GetProperty("next").GetInt64()}"))
            .ShouldBeOkJsonAsync();
        Items(rest).Select(e => e.GetProperty("target").GetProperty("id").GetString()).ShouldBe([keys[0].ToString()]);
        rest.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);

        var provisioned = await (await admin.GetAsync($"{AdminAudit}?action=user.provisioned&limit=100")).ShouldBeOkJsonAsync();
        Items(provisioned).ShouldAllBe(e => e.GetProperty("action").GetString() == "user.provisioned");
        var ids = Items(provisioned).Select(e => e.GetProperty("id").GetInt64()).ToList();
        ids.ShouldBe(ids.OrderDescending().ToList());
    }
}
