using System.Net.Http.Json;

namespace Gatehouse.Tests.Support;

/// <summary>A user provisioned through the API (first request with a fresh Auth0 subject), ready to call it.</summary>
public sealed record TestUser(TestApp App, string Subject, string Token, string Email, Guid Id, Guid WorkspaceId)
{
    public static async Task<TestUser> CreateAsync(TestApp app, string? name = null)
    {
        var subject = Unique.Subject();
        var email = Unique.Email();
        var token = app.Auth0.Token(subject, Unique.Claims(email, name ?? "Test User"));
        // A literal route: Support is compiled into the generated-client tests too, which cannot see the API's internal endpoints.
        var me = await (await app.Client(token).GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        return new TestUser(app, subject, token, email, me.GetProperty("id").GetGuid(), me.GetProperty("organization_id").GetGuid());
    }

    public HttpClient Client(Guid? workspace = null) => App.Client(Token, workspace: workspace);

    /// <summary>Adds <paramref name="other"/> to this user's default workspace with a role, through the database.</summary>
    public Task AddToMyWorkspaceAsync(TestUser other, string role) =>
        App.ExecuteAsync("insert into workspace_members (workspace_id, user_id, role) values (@ws, @user, @role)",
            new { ws = WorkspaceId, user = other.Id, role });

    public Task<HttpResponseMessage> PostAsync<T>(string url, T body) => Client().PostAsJsonAsync(url, body);
}

public static class TestAdmin
{
    /// <summary>A provisioned user whose token carries the admin permission: their client and their user id.</summary>
    public static async Task<(HttpClient Client, Guid Id)> AdminAsync(this TestApp app)
    {
        var token = app.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Admin Person", true, "admin:access"));
        var client = app.Client(token);
        // A literal route, as in CreateAsync above.
        var me = await (await client.GetAsync("/api/v1/auth/me")).ShouldBeOkJsonAsync();
        return (client, me.GetProperty("id").GetGuid());
    }
}
