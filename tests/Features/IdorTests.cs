using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features;

/// <summary>Every workspace-scoped endpoint, called by a member of A with B's ids: 403/404 and B unchanged.</summary>
public sealed class IdorTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private Task<string> StateOfBAsync(TestUser b) => App.ScalarAsync<string>("""
        select (select string_agg(user_id::text || ':' || role, ',' order by user_id) from workspace_members where workspace_id = @ws)
            || '|' || (select string_agg(id::text || ':' || (revoked_at is null)::text || ':' || (sealed_key is null)::text, ',' order by id) from api_keys where user_id = @user)
            || '|' || (select coalesce(active_workspace_id::text, '') from users where id = @user)
            || '|' || coalesce((select string_agg(id::text || ':' || (accepted_at is null and declined_at is null and revoked_at is null)::text, ',' order by id)
                                from invitations where workspace_id = @ws), '')
            || '|' || (select count(*) from workspaces where id = @ws)::text
        """, new { ws = b.WorkspaceId, user = b.Id });

    [Fact]
    public async Task A_member_of_A_cannot_reach_Bs_workspace_members_or_keys()
    {
        var a = await TestUser.CreateAsync(App);
        var b = await TestUser.CreateAsync(App);
        var bKeys = await App.QueryAsync<Guid>("select id from api_keys where user_id = @id", new { id = b.Id });
        // B invites someone; A (a verified user too) tries to reach, revoke, accept and decline it.
        var bInvitation = (await (await b.PostAsync($"/api/v1/workspaces/{b.WorkspaceId}/invitations", new { email = Unique.Email(), role = "member" }))
            .ShouldBeOkJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var before = await StateOfBAsync(b);
        var client = a.Client();
        var ws = b.WorkspaceId;

        await (await client.GetAsync($"/api/v1/workspaces/{ws}/members")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostAsJsonAsync($"/api/v1/workspaces/{ws}/members", new { email = a.Email, role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PatchAsJsonAsync($"/api/v1/workspaces/{ws}/members/{b.Id}", new { role = "member" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.DeleteAsync($"/api/v1/workspaces/{ws}/members/{b.Id}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostAsJsonAsync("/api/v1/auth/set-active-workspace", new { workspace_id = ws })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.DeleteAsync($"/api/v1/workspaces/{ws}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync($"/api/v1/workspaces/{ws}/invitations")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.PostAsJsonAsync($"/api/v1/workspaces/{ws}/invitations", new { email = a.Email, role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await client.DeleteAsync($"/api/v1/workspaces/{ws}/invitations/{bInvitation}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        // A's own workspace with B's invitation id: not there.
        await (await client.DeleteAsync($"/api/v1/workspaces/{a.WorkspaceId}/invitations/{bInvitation}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/v1/auth/invitations/{bInvitation}/accept", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/v1/auth/invitations/{bInvitation}/decline", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await (await client.GetAsync("/api/v1/auth/invitations")).ShouldBeOkJsonAsync()).GetArrayLength().ShouldBe(0);
        await (await a.Client(workspace: ws).GetAsync("/api/v1/api-keys")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await a.Client(workspace: ws).PostAsJsonAsync("/api/v1/api-keys", new { name = "sneaky" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        foreach (var key in bKeys)
        {
            await (await client.PostAsync($"/api/v1/api-keys/{key}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
            await (await client.DeleteAsync($"/api/v1/api-keys/{key}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        }

        (await StateOfBAsync(b)).ShouldBe(before);
        (await client.GetAsync("/api/v1/workspaces")).IsSuccessStatusCode.ShouldBeTrue();
        (await App.ScalarAsync<int>("select count(*) from api_keys where name = 'sneaky'")).ShouldBe(0);
    }
}
