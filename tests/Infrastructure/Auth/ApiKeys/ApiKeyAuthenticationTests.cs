using System.Net;
using Gatehouse.Tests.Support;
using Gatehouse.Tests.Features.ApiKeys;
using Me = Gatehouse.Features.Profile.Me;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;

namespace Gatehouse.Tests.Infrastructure.Auth.ApiKeys;

/// <summary>X-API-Key authentication (Infrastructure/Auth/ApiKeys): which keys pass, in which workspace, what it writes.</summary>
public sealed class ApiKeyAuthenticationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string MeRoute => Route.To<Me.Endpoint>();

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync();
        var key = created.GetProperty("key").GetString()!;
        await App.Client(apiKey: key).GetAsync(MeRoute);
        var version = await App.ScalarAsync<string>("select xmin::text from api_keys where id = @id", new { id = created.GetProperty("id").GetGuid() });

        await App.Client(apiKey: key).GetAsync(MeRoute);
        await App.Client(apiKey: key).GetAsync(MeRoute);

        (await App.ScalarAsync<string>("select xmin::text from api_keys where id = @id", new { id = created.GetProperty("id").GetGuid() })).ShouldBe(version);
    }

    [Fact]
    public async Task Unknown_malformed_and_expired_keys_are_401()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await user.CreateApiKeyAsync(new { name = "short-lived", expires_in_days = 1 });
        await App.ExecuteAsync("update api_keys set created_at = now() - interval '3 days', expires_at = now() - interval '1 day' where id = @id",
            new { id = created.GetProperty("id").GetGuid() });

        foreach (var key in new[] { created.GetProperty("key").GetString()!, "gh_" + new string('A', 43), "not-a-key", "" })
        {
            var response = await App.Client(apiKey: key).GetAsync(MeRoute);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_key_runs_in_its_own_workspace_whatever_the_header_says()
    {
        var user = await TestUser.CreateAsync(App);
        var second = (await (await user.PostAsync(Route.To<CreateWorkspace.Endpoint>(), new { name = "second" })).ShouldBeOkJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var key = (await user.CreateApiKeyAsync()).GetProperty("key").GetString()!;

        var client = App.Client(apiKey: key, workspace: second);
        var me = await (await client.GetAsync(MeRoute)).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(user.WorkspaceId);

        await (await App.Client(apiKey: key).GetAsync(Route.To<ListMembers.Endpoint>(new { workspace_id = second })))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
