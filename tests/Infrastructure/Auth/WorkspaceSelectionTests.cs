using System.Net;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Infrastructure.Auth;

public sealed class WorkspaceSelectionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Me => Route.To<Me.Endpoint>();

    private async Task<(string Token, Guid UserId, Guid DefaultWorkspace)> NewUserAsync()
    {
        var token = App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Member"));
        var me = await (await App.Client(token).GetAsync(Me)).ShouldBeOkJsonAsync();
        return (token, me.GetProperty("id").GetGuid(), me.GetProperty("organization_id").GetGuid());
    }

    private async Task<Guid> AddWorkspaceAsync(Guid userId, string role = "member")
    {
        var id = Guid.NewGuid();
        await App.ExecuteAsync("""
            insert into workspaces (id, name) values (@id, 'second');
            insert into workspace_members (workspace_id, user_id, role) values (@id, @userId, @role);
            """, new { id, userId, role });
        return id;
    }

    [Theory]
    [InlineData("X-Workspace-ID")]
    [InlineData("X-Organization-ID")]
    [InlineData("X-Tenant-ID")]
    public async Task A_header_picks_one_of_the_callers_workspaces(string header)
    {
        var (token, userId, _) = await NewUserAsync();
        var second = await AddWorkspaceAsync(userId);
        var client = App.Client(token);
        client.DefaultRequestHeaders.Add(header, second.ToString());

        var me = await (await client.GetAsync(Me)).ShouldBeOkJsonAsync();

        me.GetProperty("organization_id").GetGuid().ShouldBe(second);
    }

    [Fact]
    public async Task Without_a_header_the_active_workspace_is_used()
    {
        var (token, userId, first) = await NewUserAsync();
        await AddWorkspaceAsync(userId);
        var me = await (await App.Client(token).GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(first);
    }

    [Fact]
    public async Task Without_an_active_workspace_the_oldest_membership_is_used()
    {
        var (token, userId, first) = await NewUserAsync();
        await AddWorkspaceAsync(userId);
        await App.ExecuteAsync("update users set active_workspace_id = null where id = @userId", new { userId });
        var me = await (await App.Client(token).GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(first);
    }

    [Fact]
    public async Task Another_users_workspace_and_a_nonexistent_one_are_both_403()
    {
        var (token, _, _) = await NewUserAsync();
        var (_, _, foreign) = await NewUserAsync();

        await (await App.Client(token, workspace: foreign).GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await App.Client(token, workspace: Guid.NewGuid()).GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_malformed_workspace_header_is_400()
    {
        var (token, _, _) = await NewUserAsync();
        var client = App.Client(token);
        client.DefaultRequestHeaders.Add("X-Workspace-ID", "not-a-uuid");
        await (await client.GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_disabled_account_is_403()
    {
        var (token, userId, _) = await NewUserAsync();
        await App.ExecuteAsync("update users set is_active = false where id = @userId", new { userId });
        await (await App.Client(token).GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
