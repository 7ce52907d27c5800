using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using UpdateProfile = Gatehouse.Features.Profile.UpdateProfile;

namespace Gatehouse.Tests.Features.Profile;

public sealed class UpdateProfileTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Me => Route.To<UpdateProfile.Endpoint>();

    private const string ProfileColumns = "select coalesce(full_name,'') || '|' || coalesce(avatar_url,'') || '|' || preferences::text from users where id = @id";

    [Fact]
    public async Task Missing_token_is_401()
    {
        var response = await App.Client().PatchAsync(Me, HttpAssertions.Json("""{"full_name":"x"}"""));
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"full_name":""}""", "full_name")]
    [InlineData("""{"full_name":"   "}""", "full_name")]
    [InlineData("""{"full_name":null}""", "full_name")]
    [InlineData("""{"avatar_url":"http://example.com/a.png"}""", "avatar_url")]
    [InlineData("""{"avatar_url":"javascript:alert(1)"}""", "avatar_url")]
    [InlineData("""{"avatar_url":"not a url"}""", "avatar_url")]
    [InlineData("""{"preferences":[1,2]}""", "preferences")]
    [InlineData("""{"preferences":null}""", "preferences")]
    public async Task Each_invalid_field_is_400_keyed_by_field_and_changes_nothing(string body, string field)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id });

        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out var messages).ShouldBeTrue(problem.ToString());
        messages.GetArrayLength().ShouldBeGreaterThan(0);
        (await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id })).ShouldBe(before);
    }

    [Theory]
    [InlineData("{\"full_name\": ")]
    [InlineData("not json")]
    [InlineData("""{"email":"new@example.com"}""")]
    [InlineData("""{"full_name": 42}""")]
    public async Task A_body_that_is_not_valid_for_the_contract_is_400_never_500(string body)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id });

        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json(body));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id })).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"email":"new@example.com"}""", "email", "not a field")]
    [InlineData("""{"full_name": 42}""", "full_name", "wrong type")]
    [InlineData("{\"full_name\": ", "body", "not valid JSON")]
    public async Task Json_errors_name_the_field_and_no_dotnet_type(string body, string field, string message)
    {
        var user = await TestUser.CreateAsync(App);
        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json(body));
        var raw = await response.Content.ReadAsStringAsync();
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldContain(message);
        raw.ShouldNotContain("Gatehouse.");
        raw.ShouldNotContain("System.");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_a_4xx()
    {
        var user = await TestUser.CreateAsync(App);
        await using var api = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, null));
        using var request = new HttpRequestMessage(HttpMethod.Patch, Me)
        {
            Content = HttpAssertions.Json(JsonSerializer.Serialize(new { preferences = new { blob = new string('a', 512 * 1024) } })),
        };
        request.Headers.Authorization = new("Bearer", user.Token);
        var response = await api.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBeInRange(400, 499);
    }

    [Fact]
    public async Task Too_long_values_are_400()
    {
        var user = await TestUser.CreateAsync(App);
        var longName = JsonSerializer.Serialize(new { full_name = new string('a', 201) });
        var longUrl = JsonSerializer.Serialize(new { avatar_url = "https://example.com/" + new string('a', 2048) });
        var bigPreferences = JsonSerializer.Serialize(new { preferences = new { blob = new string('a', 17 * 1024) } });

        (await user.Client().PatchAsync(Me, HttpAssertions.Json(longName))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await user.Client().PatchAsync(Me, HttpAssertions.Json(longUrl))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await user.Client().PatchAsync(Me, HttpAssertions.Json(bigPreferences))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_partial_update_changes_only_the_fields_sent_and_null_clears_the_avatar()
    {
        var user = await TestUser.CreateAsync(App);
        var set = await (await user.Client().PatchAsync(Me, HttpAssertions.Json(
            """{"full_name":"Ada King","avatar_url":"https://example.com/ada.png","preferences":{"theme":"dark"}}"""))).ShouldBeOkJsonAsync();
        set.GetProperty("full_name").GetString().ShouldBe("Ada King");
        set.GetProperty("avatar_url").GetString().ShouldBe("https://example.com/ada.png");
        set.GetProperty("preferences").GetProperty("theme").GetString().ShouldBe("dark");
        set.GetProperty("email").GetString().ShouldBe(user.Email);

        var cleared = await (await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"avatar_url":null}"""))).ShouldBeOkJsonAsync();
        cleared.GetProperty("avatar_url").ValueKind.ShouldBe(JsonValueKind.Null);
        cleared.GetProperty("full_name").GetString().ShouldBe("Ada King");
        cleared.GetProperty("preferences").GetProperty("theme").GetString().ShouldBe("dark");
    }

    [Fact]
    public async Task A_name_changed_here_survives_later_requests_with_unchanged_token_claims()
    {
        var user = await TestUser.CreateAsync(App, name: "Name From IdP");
        await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"full_name":"Name From App"}"""));

        var me = await (await user.Client().GetAsync(Me)).ShouldBeOkJsonAsync();

        me.GetProperty("full_name").GetString().ShouldBe("Name From App");
    }

    [Fact]
    public async Task Patch_me_records_the_fields_it_set_and_a_refused_patch_nothing()
    {
        var user = await TestUser.CreateAsync(App);
        await (await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"full_name":""}"""))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await App.EventsAboutAsync(user.Id)).Count.ShouldBe(1);

        (await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"full_name":"Ada King","preferences":{"theme":"dark"}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var e = (await App.EventsAboutAsync(user.Id)).Last();
        e.ShouldBeBy("user.profile_updated", user.Id, "user", user.Id.ToString(), null);
        e.DetailsJson.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["full_name", "preferences"]);
        e.Details.ShouldNotContain("Ada King");
        (await App.EventsAboutAsync(user.Id)).Count.ShouldBe(2);
    }
}
