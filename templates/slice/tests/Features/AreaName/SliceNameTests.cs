using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using SliceName = Gatehouse.Features.AreaName.SliceName;

namespace Gatehouse.Tests.Features.AreaName;

/// <summary>
/// Next: a 400 per validation rule, the 403 and 404/409 the slice answers, each asserting afterwards
/// that no row changed (App.ScalarAsync sees every row).
/// </summary>
public sealed class SliceNameTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Url => Route.To<SliceName.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        var response = await App.Client().PostAsJsonAsync(Url, new { name = "x" });
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"   "}""")]
    public async Task An_invalid_name_is_400_keyed_by_field(string body)
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.Client().PostAsync(Url, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task Answers_in_the_callers_workspace()
    {
        var user = await TestUser.CreateAsync(App);

        var body = await (await user.PostAsync(Url, new { name = "  Engines  " })).ShouldBeOkJsonAsync();

        body.GetProperty("name").GetString().ShouldBe("Engines");
        body.GetProperty("workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
        body.GetProperty("workspace_name").GetString()
            .ShouldBe(await App.ScalarAsync<string>("select name from workspaces where id = @id", new { id = user.WorkspaceId }));
    }
}
