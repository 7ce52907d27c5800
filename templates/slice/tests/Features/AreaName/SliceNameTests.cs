using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using SliceName = Gatehouse.Features.AreaName.SliceName;

namespace Gatehouse.Tests.Features.AreaName;

/// <summary>
/// The slice's status matrix: 401, 400 per validation rule, 403, 404, then the happy path. A slice that
/// writes asserts after each failure that no row changed (App.ScalarAsync sees every row).
/// </summary>
public sealed class SliceNameTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    // The route as the endpoint declares it; App has started by now (AppFixture), so it is known.
    private static string Url => Route.To<SliceName.Endpoint>();

    [Fact]
    public async Task Missing_token_is_401()
    {
        var response = await App.Client().PostAsJsonAsync(Url, new { user_id = Guid.NewGuid() });
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"user_id":"00000000-0000-0000-0000-000000000000"}""")]
    public async Task A_missing_user_id_is_400_keyed_by_field(string body)
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.Client().PostAsync(Url, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("user_id", out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task A_plain_member_gets_403()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");

        var response = await member.Client(owner.WorkspaceId).PostAsJsonAsync(Url, new { user_id = owner.Id });

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Someone_outside_the_workspace_is_404()
    {
        var owner = await TestUser.CreateAsync(App);
        var stranger = await TestUser.CreateAsync(App);

        var response = await owner.PostAsync(Url, new { user_id = stranger.Id });

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_owner_sees_a_members_role()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");

        var body = await (await owner.PostAsync(Url, new { user_id = member.Id })).ShouldBeOkJsonAsync();

        body.GetProperty("user_id").GetGuid().ShouldBe(member.Id);
        body.GetProperty("role").GetString().ShouldBe("member");
    }
}
