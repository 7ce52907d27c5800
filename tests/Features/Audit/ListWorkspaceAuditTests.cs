using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using static Gatehouse.Tests.Features.Audit.AuditCalls;
using ListWorkspaceAudit = Gatehouse.Features.Audit.ListWorkspaceAudit;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;

namespace Gatehouse.Tests.Features.Audit;

public sealed class ListWorkspaceAuditTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string WorkspaceAudit(Guid ws, string query = "") => Route.To<ListWorkspaceAudit.Endpoint>(new { workspace_id = ws }) + query;

    [Fact]
    public async Task Missing_token_is_401()
    {
        (await App.Client().GetAsync(WorkspaceAudit(Guid.NewGuid()))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
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
        var owner = await TestUser.CreateAsync(App);
        await (await owner.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId, query))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_owner_pages_through_the_workspace_newest_first_in_the_contract_shape()
    {
        var (owner, keys) = await App.BusyWorkspaceAsync();

        var first = await (await owner.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId, "?limit=2"))).ShouldBeOkJsonAsync();
        Items(first).Select(e => e.GetProperty("target").GetProperty("id").GetString()).ShouldBe([keys[2].ToString(), keys[1].ToString()]);
        var next = first.GetProperty("next").GetInt64();
        next.ShouldBe(Items(first).Last().GetProperty("id").GetInt64());

        var second = await (await owner.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId, $"?limit=2&after={next}"))).ShouldBeOkJsonAsync();
        Items(second).Select(e => e.GetProperty("action").GetString()).ShouldBe(["api_key.created", "user.provisioned"]);
        second.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);

        var e = Items(first).First();
        e.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["id", "occurred_at", "action", "actor", "workspace_id", "target", "ip", "user_agent", "request_id", "details"], ignoreOrder: true);
        e.GetProperty("actor").EnumerateObject().Select(p => p.Name).ShouldBe(["user_id", "method", "api_key_id"], ignoreOrder: true);
        e.GetProperty("actor").GetProperty("user_id").GetGuid().ShouldBe(owner.Id);
        e.GetProperty("actor").GetProperty("method").GetString().ShouldBe("auth0");
        e.GetProperty("workspace_id").GetGuid().ShouldBe(owner.WorkspaceId);
        e.GetProperty("target").GetProperty("type").GetString().ShouldBe("api_key");
        e.GetProperty("details").GetProperty("name").GetString().ShouldBe("three");
    }

    [Fact]
    public async Task An_admin_of_the_workspace_reads_it_and_a_member_gets_403()
    {
        var (owner, _) = await App.BusyWorkspaceAsync();
        var admin = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(admin, "admin");
        await owner.AddToMyWorkspaceAsync(member, "member");

        Items(await (await admin.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId))).ShouldBeOkJsonAsync()).Count().ShouldBe(4);
        await (await member.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Another_workspaces_audit_is_403_for_tokens_and_keys_and_shows_nothing()
    {
        var (owner, _) = await App.BusyWorkspaceAsync();
        var stranger = await TestUser.CreateAsync(App);
        var key = await (await stranger.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "k" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);

        var problem = await (await stranger.Client().GetAsync(WorkspaceAudit(owner.WorkspaceId))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        problem.GetRawText().ShouldNotContain("api_key.created");
        await (await App.Client(apiKey: key.GetProperty("key").GetString()).GetAsync(WorkspaceAudit(owner.WorkspaceId)))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        // Headers do not redirect it either: the route's workspace is the one checked.
        await (await stranger.Client(workspace: stranger.WorkspaceId).GetAsync(WorkspaceAudit(owner.WorkspaceId)))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
