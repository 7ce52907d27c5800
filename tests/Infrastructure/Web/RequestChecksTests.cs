using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;
using AddMember = Gatehouse.Features.Workspaces.AddMember;
using ListUsers = Gatehouse.Features.Admin.ListUsers;

namespace Gatehouse.Tests.Infrastructure.Web;

/// <summary>Authentication before content type, body and query; then content type, then the query string's names.</summary>
public sealed class RequestChecksTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Me => Route.To<Me.Endpoint>();

    private const string ProfileColumns = "select coalesce(full_name,'') || '|' || coalesce(avatar_url,'') || '|' || preferences::text || '|' || updated_at::text from users where id = @id";

    private static HttpContent Body(string? contentType, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "full_name=x", "")]
    [InlineData("text/plain", "x", "")]
    [InlineData("application/xml", "<full_name>x</full_name>", "")]
    [InlineData(null, "{\"full_name\":\"x\"}", "")]
    [InlineData("application/json; charset=nope", "{\"full_name\":\"x\"}", "")]
    [InlineData("application/json", "not json", "")]
    [InlineData("application/json", "{\"full_name\":\"x\"}", "?limit=abc&x=%00")]
    public async Task Without_credentials_the_answer_is_401_with_the_bearer_challenge_whatever_the_body(string? contentType, string body, string query)
    {
        var response = await App.Client().PatchAsync(Me + query, Body(contentType, body));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Fact]
    public async Task A_wrong_content_type_on_a_workspace_route_is_401_first_too()
    {
        var owner = await TestUser.CreateAsync(App);
        var response = await App.Client().PostAsync(Route.To<AddMember.Endpoint>(new { workspace_id = owner.WorkspaceId }), Body("application/xml", "<email/>"));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Fact]
    public async Task While_the_signing_keys_cannot_be_fetched_a_form_body_is_503_not_415()
    {
        await using var idp = await TestIdentityProvider.StartAuth0Async();
        idp.Behaviour = TestIdentityProvider.Mode.Fail;
        await using var api = await ApiProcess.StartAsync(TestApp.Environment(App.Db, idp, null));
        using var request = new HttpRequestMessage(HttpMethod.Patch, Me) { Content = Body("application/x-www-form-urlencoded", "full_name=x") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idp.Token(Unique.Subject()));

        var response = await api.Http.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "full_name=Form%20Name")]
    [InlineData("text/plain", "{\"full_name\":\"Plain Name\"}")]
    [InlineData(null, "{\"full_name\":\"No Type Name\"}")]
    [InlineData("application/json; charset=nope", "{\"full_name\":\"Charset Name\"}")]
    [InlineData("application/json; charset=utf-16", "{\"full_name\":\"Utf16 Name\"}")]
    public async Task With_credentials_a_body_that_is_not_utf8_json_is_a_415_problem_and_changes_nothing(string? contentType, string body)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id });

        var response = await user.Client().PatchAsync(Me, Body(contentType, body));

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        (await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id })).ShouldBe(before);
    }

    [Fact]
    public async Task Json_with_a_charset_of_utf8_is_accepted()
    {
        var user = await TestUser.CreateAsync(App);
        var response = await user.Client().PatchAsync(Me, Body("application/json; charset=utf-8", "{\"full_name\":\"Utf8 Name\"}"));
        (await response.ShouldBeOkJsonAsync()).GetProperty("full_name").GetString().ShouldBe("Utf8 Name");
    }

    [Theory]
    [InlineData("?full_name=Query%20Name", "full_name")]
    [InlineData("?colour=1", "colour")]
    public async Task A_query_parameter_the_operation_does_not_declare_is_400_and_changes_nothing(string query, string name)
    {
        var user = await TestUser.CreateAsync(App);
        var before = await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id });

        var response = await user.Client().PatchAsync(Me + query, HttpAssertions.Json("{}"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(name)[0].GetString()!.ShouldContain("not a query parameter");
        (await App.ScalarAsync<string>(ProfileColumns, new { id = user.Id })).ShouldBe(before);
    }

    [Theory]
    [InlineData("?LIMIT=5", "LIMIT", "not a query parameter")]
    [InlineData("?limit=1&limit=2", "limit", "given once")]
    [InlineData("?limit=abc", "limit", "limit must be a whole number")]
    [InlineData("?after=abc", "after", "after must be a UUID")]
    [InlineData("?limit=99999999999999999999", "limit", "limit must be a whole number")]
    public async Task Query_values_are_refused_in_words_naming_the_parameter(string query, string name, string words)
    {
        var admin = App.Client(App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Admin", true, "admin:access")));

        var response = await admin.GetAsync(Route.To<ListUsers.Endpoint>() + query);

        var raw = await response.Content.ReadAsStringAsync();
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(name)[0].GetString()!.ShouldContain(words);
        raw.ShouldNotContain("Int32");
        raw.ShouldNotContain("Guid");
        raw.ShouldNotContain("[abc]");
    }
}
