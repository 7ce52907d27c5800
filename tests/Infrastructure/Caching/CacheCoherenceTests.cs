using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Me = Gatehouse.Features.Profile.Me;
using UpdateProfile = Gatehouse.Features.Profile.UpdateProfile;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using RevokeApiKey = Gatehouse.Features.ApiKeys.RevokeApiKey;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;
using SetActiveWorkspace = Gatehouse.Features.Workspaces.SetActiveWorkspace;
using AddMember = Gatehouse.Features.Workspaces.AddMember;
using ListMembers = Gatehouse.Features.Workspaces.ListMembers;
using RemoveMember = Gatehouse.Features.Workspaces.RemoveMember;
using ChangeMemberRole = Gatehouse.Features.Workspaces.ChangeMemberRole;

namespace Gatehouse.Tests.Infrastructure.Caching;

/// <summary>
/// Two Gatehouse instances on one database: the shared in-process app (here) and a separate process
/// (there). A change made here is seen here at once and there within the contract's 1 s.
/// </summary>
public sealed class CacheCoherenceTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private ApiProcess _there = null!;

    public async Task InitializeAsync() =>
        _there = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));

    public async Task DisposeAsync() => await _there.DisposeAsync();

    private HttpClient There(string? token = null, string? apiKey = null) => _there.Client(token, apiKey);

    private static async Task<string> FullNameAsync(HttpClient client) =>
        (await (await client.GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync()).GetProperty("full_name").GetString()!;

    [Fact]
    public async Task A_revoked_key_is_refused_here_at_once_and_there_within_a_second()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "coherence" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await There(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await user.Client().DeleteAsync(Route.To<RevokeApiKey.Endpoint>(new { id = created.GetProperty("id").GetGuid() }))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await Consistency.SeenWithinContractAsync(async () =>
            (await There(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode == HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_removed_member_is_refused_here_at_once_and_there_within_a_second()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        (await owner.PostAsync(Route.To<AddMember.Endpoint>(new { workspace_id = owner.WorkspaceId }), new { email = member.Email, role = "member" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var members = Route.To<ListMembers.Endpoint>(new { workspace_id = owner.WorkspaceId });
        (await member.Client().GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await There(member.Token).GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await owner.Client().DeleteAsync(Route.To<RemoveMember.Endpoint>(new { workspace_id = owner.WorkspaceId, user_id = member.Id }))).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await member.Client().GetAsync(members)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Consistency.SeenWithinContractAsync(async () => (await There(member.Token).GetAsync(members)).StatusCode == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_changed_profile_is_seen_here_at_once_and_there_within_a_second()
    {
        var user = await TestUser.CreateAsync(App, name: "Before Change");
        (await FullNameAsync(There(user.Token))).ShouldBe("Before Change");

        (await user.Client().PatchAsync(Route.To<UpdateProfile.Endpoint>(), HttpAssertions.Json("""{"full_name":"After Change"}""")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        (await FullNameAsync(user.Client())).ShouldBe("After Change");
        await Consistency.SeenWithinContractAsync(async () => await FullNameAsync(There(user.Token)) == "After Change");
    }

    [Fact]
    public async Task A_changed_role_is_seen_here_at_once_and_there_within_a_second()
    {
        var owner = await TestUser.CreateAsync(App);
        var member = await TestUser.CreateAsync(App);
        var members = Route.To<ListMembers.Endpoint>(new { workspace_id = owner.WorkspaceId });
        (await owner.PostAsync(members, new { email = member.Email, role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        // Adding an unknown address: a member is refused (403), a manager is told nobody has it (404). Nothing changes either way.
        var probe = new { email = Unique.Email(), role = "member" };
        (await There(member.Token).PostAsJsonAsync(members, probe)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await owner.Client().PatchAsync(Route.To<ChangeMemberRole.Endpoint>(new { workspace_id = owner.WorkspaceId, user_id = member.Id }), HttpAssertions.Json("""{"role":"admin"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await member.Client().PostAsJsonAsync(members, probe)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await Consistency.SeenWithinContractAsync(async () => (await There(member.Token).PostAsJsonAsync(members, probe)).StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_changed_active_workspace_is_seen_here_at_once_and_there_within_a_second()
    {
        var user = await TestUser.CreateAsync(App);
        var second = await (await user.PostAsync(Route.To<CreateWorkspace.Endpoint>(), new { name = Unique.Name() })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var secondId = second.GetProperty("id").GetGuid();
        async Task<Guid> WorkspaceAsync(HttpClient client) =>
            (await (await client.GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync()).GetProperty("organization_id").GetGuid();
        (await WorkspaceAsync(There(user.Token))).ShouldBe(user.WorkspaceId);

        (await user.PostAsync(Route.To<SetActiveWorkspace.Endpoint>(), new { workspace_id = secondId })).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await WorkspaceAsync(user.Client())).ShouldBe(secondId);
        await Consistency.SeenWithinContractAsync(async () => await WorkspaceAsync(There(user.Token)) == secondId);
    }

    [Fact]
    public async Task A_disabled_user_is_refused_there_within_a_second_for_tokens_and_keys()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await (await user.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "disabled" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        (await There(user.Token).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await There(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

        await App.ExecuteAsync("update users set is_active = false where id = @id", new { id = user.Id });

        (await user.Client().GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Consistency.SeenWithinContractAsync(async () => (await There(user.Token).GetAsync(Route.To<Me.Endpoint>())).StatusCode == HttpStatusCode.Forbidden);
        await Consistency.SeenWithinContractAsync(async () => (await There(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode == HttpStatusCode.Forbidden);
    }

    /// <summary>Changes the name with the cache triggers off: a change no instance hears of.</summary>
    private async Task RenameSilentlyAsync(Guid userId, string name)
    {
        await using var connection = await App.Superuser.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, "set local session_replication_role = replica", transaction: tx);
        await Dapper.SqlMapper.ExecuteAsync(connection, "update users set full_name = @name where id = @userId", new { name, userId }, tx);
        await tx.CommitAsync();
    }

    [Fact]
    public async Task With_its_listener_killed_an_instance_reads_the_database_until_it_listens_again()
    {
        var cache = App.Factory.Services.GetRequiredService<CallerCache>();
        var user = await TestUser.CreateAsync(App, name: "Remembered");
        await App.HeardAsync(); // the notifications of the first login, so they drop nothing later
        (await FullNameAsync(user.Client())).ShouldBe("Remembered");

        // Memory answers a steady request: a change nobody was told of is not seen.
        await RenameSilentlyAsync(user.Id, "Unheard");
        (await FullNameAsync(user.Client())).ShouldBe("Remembered");

        await App.ExecuteAsync("""
            select pg_terminate_backend(pid) from pg_stat_activity
            where application_name = 'gatehouse-cache-listener' and datname = current_database()
            """);

        // Until it has reconnected the instance may have missed changes: it must read them.
        await Consistency.SeenWithinContractAsync(async () => await FullNameAsync(user.Client()) == "Unheard");

        var reconnected = Stopwatch.StartNew();
        while (!cache.IsCoherent)
        {
            reconnected.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "the listener did not reconnect");
            await Task.Delay(20);
        }
        (await FullNameAsync(user.Client())).ShouldBe("Unheard");
        await RenameSilentlyAsync(user.Id, "Unheard again");
        (await FullNameAsync(user.Client())).ShouldBe("Unheard", "once listening again, memory answers again");
    }
}
