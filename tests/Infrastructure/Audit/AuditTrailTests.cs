using System.Net;
using Dapper;
using Gatehouse.Tests.Support;
using Npgsql;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using CreateWorkspace = Gatehouse.Features.Workspaces.CreateWorkspace;

namespace Gatehouse.Tests.Infrastructure.Audit;

/// <summary>The table itself: written with the change, append-only for the runtime role.</summary>
public sealed class AuditTrailTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private NpgsqlDataSource RuntimeRole() => NpgsqlDataSource.Create(App.Db.ConnectionString(owner: false));

    [Fact]
    public async Task Creating_a_workspace_records_one_event_with_actor_target_and_origin()
    {
        var user = await TestUser.CreateAsync(App);
        var client = user.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        var name = Unique.Name();

        var created = await (await client.PostAsync(Route.To<CreateWorkspace.Endpoint>(), HttpAssertions.Json($$"""{"name":"{{name}}"}""")))
            .ShouldBeOkJsonAsync(HttpStatusCode.Created);

        var id = created.GetProperty("id").GetGuid();
        var e = (await App.EventsAboutAsync(id)).ShouldHaveSingleItem();
        e.Action.ShouldBe("workspace.created");
        e.ActorUserId.ShouldBe(user.Id);
        e.ActorMethod.ShouldBe("auth0");
        e.ActorApiKeyId.ShouldBeNull();
        e.WorkspaceId.ShouldBe(id);
        e.TargetType.ShouldBe("workspace");
        e.UserAgent.ShouldBe("audit-test/1.0");
        e.RequestId.ShouldNotBeNullOrWhiteSpace();
        e.DetailsJson.GetProperty("name").GetString().ShouldBe(name);
    }

    [Fact]
    public async Task A_workspace_created_with_an_api_key_names_the_key()
    {
        var user = await TestUser.CreateAsync(App);
        var key = await (await user.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "audit" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        var keyId = key.GetProperty("id").GetGuid();

        var created = await (await App.Client(apiKey: key.GetProperty("key").GetString())
            .PostAsync(Route.To<CreateWorkspace.Endpoint>(), HttpAssertions.Json("""{"name":"by key"}"""))).ShouldBeOkJsonAsync(HttpStatusCode.Created);

        var e = (await App.EventsAboutAsync(created.GetProperty("id").GetGuid())).ShouldHaveSingleItem();
        e.ActorUserId.ShouldBe(user.Id);
        e.ActorMethod.ShouldBe("api_key");
        e.ActorApiKeyId.ShouldBe(keyId);
    }

    [Fact]
    public async Task A_refused_create_records_nothing()
    {
        var user = await TestUser.CreateAsync(App);
        var before = (await App.EventsByAsync(user.Id)).Count;
        await (await user.Client().PostAsync(Route.To<CreateWorkspace.Endpoint>(), HttpAssertions.Json("""{"name":""}""")))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await App.EventsByAsync(user.Id)).Count.ShouldBe(before);
    }

    [Theory]
    [InlineData("update audit_events set action = 'user.enabled'")]
    [InlineData("delete from audit_events")]
    [InlineData("truncate audit_events")]
    public async Task The_runtime_role_cannot_alter_or_delete_events(string sql)
    {
        var user = await TestUser.CreateAsync(App);
        await user.Client().PostAsync(Route.To<CreateWorkspace.Endpoint>(), HttpAssertions.Json("""{"name":"kept"}"""));
        var count = await App.ScalarAsync<long>("select count(*) from audit_events");
        count.ShouldBeGreaterThan(0);

        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();
        var e = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync(sql));
        e.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        (await App.ScalarAsync<long>("select count(*) from audit_events")).ShouldBeGreaterThanOrEqualTo(count);
    }

    [Fact]
    public async Task The_runtime_role_cannot_record_an_event_for_another_actor()
    {
        var (a, b) = (await TestUser.CreateAsync(App), await TestUser.CreateAsync(App));
        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("select set_config('gatehouse.user_id', @id, true)", new { id = a.Id.ToString() }, tx);
        var e = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync("""
            insert into audit_events (action, actor_user_id, actor_method, target_type, target_id)
            values ('user.disabled', @b, 'auth0', 'user', @b::text)
            """, new { b = b.Id }, tx));
        e.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Fact]
    public async Task The_runtime_role_cannot_run_the_retention_job()
    {
        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();
        var e = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync("select prune_audit_events(now(), 1000)"));
        e.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }
}
