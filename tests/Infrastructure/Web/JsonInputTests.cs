using System.Net;
using System.Text;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Web;

/// <summary>One JSON language for every body: storable text and numbers, enums by name, exact member names.</summary>
public sealed class JsonInputTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private const string Me = "/api/v1/auth/me";

    /// <summary>Everything the user owns, as text: a refused request must leave it as it was.</summary>
    private Task<string> RowsAsync(TestUser user) => App.ScalarAsync<string>("""
        select (select u::text from users u where u.id = @id)
            || (select coalesce(string_agg(w::text, ',' order by w.id), '') from workspaces w
                join workspace_members m on m.workspace_id = w.id where m.user_id = @id)
            || (select coalesce(string_agg(m::text, ',' order by m.workspace_id, m.user_id), '') from workspace_members m
                where m.workspace_id in (select workspace_id from workspace_members where user_id = @id))
            || (select coalesce(string_agg(k::text, ',' order by k.id), '') from api_keys k where k.user_id = @id)
        """, new { id = user.Id });

    private static string Members(TestUser user) => $"/api/v1/workspaces/{user.WorkspaceId}/members";

    public static TheoryData<string, string, string> UnstorableText => new()
    {
        { "PATCH", Me, """{"full_name":"a\u0000b"}""" },
        { "PATCH", Me, """{"full_name":"a\ud800b"}""" },
        { "PATCH", Me, """{"full_name":"\udc00"}""" },
        { "PATCH", Me, """{"avatar_url":"https://example.com/a\u0000.png"}""" },
        { "POST", "/api/v1/workspaces", """{"name":"team\u0000"}""" },
        { "POST", "/api/v1/workspaces", """{"name":"team\ud83d"}""" },
        { "POST", "/api/v1/api-keys", """{"name":"ci\u0000"}""" },
        { "POST", "{members}", """{"email":"a\u0000b@example.com","role":"member"}""" },
        { "POST", "{members}", """{"email":"a\udfff@example.com","role":"member"}""" },
    };

    [Theory]
    [MemberData(nameof(UnstorableText))]
    public async Task Text_postgres_cannot_store_is_400_naming_the_field_and_changes_nothing(string verb, string url, string body)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);
        var field = body[2..body.IndexOf('"', 2)];

        var response = await user.Client().SendAsync(new HttpRequestMessage(new HttpMethod(verb), url.Replace("{members}", Members(user)))
        {
            Content = HttpAssertions.Json(body),
        });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldContain("U+0000");
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"preferences":{"note":"a\u0000b"}}""")]
    [InlineData("""{"preferences":{"a\u0000b":1}}""")]
    [InlineData("""{"preferences":{"\ud800":1}}""")]
    [InlineData("""{"preferences":{"deep":[1,{"x":"\udc00"}]}}""")]
    public async Task Unstorable_text_anywhere_inside_preferences_is_400(string body)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        var problem = await (await user.Client().PatchAsync(Me, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.GetProperty("errors").GetProperty("preferences")[0].GetString()!.ShouldContain("U+0000");
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Theory]
    [InlineData("1e1000000")]
    [InlineData("-1e1000000")]
    [InlineData("1e-1000000")]
    [InlineData("1e131072")]
    [InlineData("1.25e-16382")]
    public async Task Numbers_postgres_numeric_cannot_hold_are_400(string number)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json($$$"""{"preferences":{"n":{{{number}}}}}"""));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("preferences")[0].GetString()!.ShouldContain("digits");
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Fact]
    public async Task Numbers_at_postgres_limits_are_stored()
    {
        var user = await TestUser.CreateAsync(App);
        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"preferences":{"big":1e400,"small":1.5e-300,"zero":0e999}}"""));
        await response.ShouldBeOkJsonAsync();
        (await App.ScalarAsync<int>("select length(preferences->>'big') from users where id = @id", new { id = user.Id })).ShouldBe(401);
    }

    [Fact]
    public async Task Preferences_are_measured_as_stored_so_a_short_number_cannot_become_a_huge_row()
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        // Nine bytes in, 20001 digits as PostgreSQL stores and returns them.
        var response = await user.Client().PatchAsync(Me, HttpAssertions.Json("""{"preferences":{"n":1e20000}}"""));

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("preferences", out _).ShouldBeTrue();
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"role":7}""")]
    [InlineData("""{"role":"7"}""")]
    [InlineData("""{"role":"Admin"}""")]
    [InlineData("""{"role":"superhero"}""")]
    public async Task A_role_is_accepted_only_as_its_name_and_the_message_lists_the_roles(string body)
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        await owner.AddToMyWorkspaceAsync(member, "member");
        var before = await RowsAsync(owner);

        var response = await owner.Client().PatchAsync($"{Members(owner)}/{member.Id}", HttpAssertions.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("role")[0].GetString().ShouldBe("role must be one of: owner, admin, member.");
        (await RowsAsync(owner)).ShouldBe(before);
    }

    [Fact]
    public async Task Adding_a_member_with_a_numeric_role_is_400()
    {
        var owner = await TestUser.CreateAsync(App);
        var invitee = await TestUser.CreateAsync(App);
        var before = await RowsAsync(owner);

        var response = await owner.PostAsync(Members(owner), new { email = invitee.Email, role = 0 });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("role", out _).ShouldBeTrue();
        (await RowsAsync(owner)).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"name":"x","colour":1}""", "colour")]
    [InlineData("""{"Name":"x"}""", "Name")]
    [InlineData("""{"NAME":"x"}""", "NAME")]
    public async Task A_member_the_request_does_not_define_is_400_names_matching_exactly(string body, string member)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        var response = await user.Client().PostAsync("/api/v1/workspaces", HttpAssertions.Json(body));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(member)[0].GetString()!.ShouldContain("not a field of this request");
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"name":"ci","expires_in_days":"30"}""", "expires_in_days", "whole number")]
    [InlineData("""{"name":"ci","expires_in_days":99999999999999999999}""", "expires_in_days", "whole number")]
    [InlineData("""{"name":"ci","expires_in_days":1e400}""", "expires_in_days", "whole number")]
    [InlineData("""{"name":7}""", "name", "must be a string")]
    public async Task Wrong_types_are_400_in_words_that_name_the_field_and_no_type(string body, string field, string words)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        var response = await user.Client().PostAsync("/api/v1/api-keys", HttpAssertions.Json(body));

        var raw = await response.Content.ReadAsStringAsync();
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!.ShouldContain(words);
        raw.ShouldNotContain("Int32");
        raw.ShouldNotContain("System.");
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public async Task A_body_that_is_not_an_object_is_400_and_changes_nothing(string body)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);

        var problem = await (await user.Client().PatchAsync(Me, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem.GetProperty("errors").TryGetProperty("body", out _).ShouldBeTrue();
        (await RowsAsync(user)).ShouldBe(before);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_string_is_400()
    {
        var user = await TestUser.CreateAsync(App);
        var before = await RowsAsync(user);
        var body = new ByteArrayContent([.. Encoding.UTF8.GetBytes("{\"preferences\":{\"a\":\""), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("\"}}")]);
        body.Headers.ContentType = new("application/json");

        var response = await user.Client().PatchAsync(Me, body);

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("preferences", out _).ShouldBeTrue();
        (await RowsAsync(user)).ShouldBe(before);
    }
}
