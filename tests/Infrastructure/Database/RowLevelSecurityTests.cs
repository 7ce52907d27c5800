using Microsoft.Extensions.DependencyInjection;
using Dapper;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Tests.Support;
using Npgsql;

namespace Gatehouse.Tests.Infrastructure.Database;

/// <summary>The database itself keeps tenants apart, for the role the API runs as.</summary>
public sealed class RowLevelSecurityTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static readonly string[] TenantTables = ["workspaces", "workspace_members", "api_keys", "users"];

    private NpgsqlDataSource RuntimeRole(int maxPoolSize = 10) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(App.Db.ConnectionString(owner: false)) { MaxPoolSize = maxPoolSize }.ConnectionString);

    /// <summary>User a in workspace A only, user b in workspace B only, each with keys.</summary>
    private async Task<(TestUser A, TestUser B)> TwoTenantsAsync()
    {
        var a = await TestUser.CreateAsync(App);
        var b = await TestUser.CreateAsync(App);
        await a.PostAsync("/api/v1/api-keys", new { name = "a" });
        await b.PostAsync("/api/v1/api-keys", new { name = "b" });
        return (a, b);
    }

    [Fact]
    public async Task With_workspace_As_context_a_query_without_where_sees_only_As_rows()
    {
        var (a, b) = await TwoTenantsAsync();
        await using var dataSource = RuntimeRole();
        await using var db = await new Db(dataSource, App.Factory.Services.GetRequiredService<Gatehouse.Infrastructure.Caching.CallerCache>()).BeginAsync(a.Id, a.WorkspaceId, default);

        (await db.QueryAsync<Guid>("select workspace_id from api_keys", null, default)).ShouldAllBe(w => w == a.WorkspaceId);
        (await db.QueryAsync<Guid>("select workspace_id from api_keys", null, default)).Count().ShouldBe(2);
        (await db.QueryAsync<Guid>("select id from workspaces", null, default)).ShouldBe([a.WorkspaceId]);
        (await db.QueryAsync<Guid>("select workspace_id from workspace_members", null, default)).ShouldBe([a.WorkspaceId]);
        (await db.QueryAsync<Guid>("select id from users", null, default)).ShouldBe([a.Id]);
        (await db.QueryAsync<Guid>("select id from users where id = @id", new { id = b.Id }, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_context_the_runtime_role_sees_no_tenant_row()
    {
        await TwoTenantsAsync();
        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var table in TenantTables)
            (await connection.ExecuteScalarAsync<long>($"select count(*) from {table}")).ShouldBe(0, table);
    }

    [Fact]
    public async Task Writes_outside_the_context_are_refused_or_touch_nothing()
    {
        var (a, b) = await TwoTenantsAsync();
        await using var dataSource = RuntimeRole();
        await using var db = await new Db(dataSource, App.Factory.Services.GetRequiredService<Gatehouse.Infrastructure.Caching.CallerCache>()).BeginAsync(a.Id, a.WorkspaceId, default);

        (await db.ExecuteAsync("update api_keys set revoked_at = now()", null, default)).ShouldBe(2);
        (await db.ExecuteAsync("delete from workspace_members where workspace_id = @ws", new { ws = b.WorkspaceId }, default)).ShouldBe(0);
        await Should.ThrowAsync<PostgresException>(() => db.ExecuteAsync(
            "insert into workspace_members (workspace_id, user_id, role) values (@ws, @user, 'owner')",
            new { ws = b.WorkspaceId, user = a.Id }, default));
    }

    [Fact]
    public async Task A_pooled_connection_carries_no_context_into_the_next_transaction()
    {
        var (a, _) = await TwoTenantsAsync();
        await using var dataSource = RuntimeRole(maxPoolSize: 1);

        int firstBackend;
        await using (var db = await new Db(dataSource, App.Factory.Services.GetRequiredService<Gatehouse.Infrastructure.Caching.CallerCache>()).BeginAsync(a.Id, a.WorkspaceId, default))
        {
            firstBackend = await db.QuerySingleAsync<int>("select pg_backend_pid()", null, default);
            (await db.QuerySingleAsync<long>("select count(*) from api_keys", null, default)).ShouldBeGreaterThan(0);
            await db.CommitAsync(default);
        }

        await using var next = await dataSource.OpenConnectionAsync();
        (await next.ExecuteScalarAsync<int>("select pg_backend_pid()")).ShouldBe(firstBackend);
        (await next.ExecuteScalarAsync<string>("select coalesce(current_setting('gatehouse.user_id', true), '')")).ShouldBe("");
        foreach (var table in TenantTables)
            (await next.ExecuteScalarAsync<long>($"select count(*) from {table}")).ShouldBe(0, table);
    }

    [Fact]
    public async Task The_runtime_role_cannot_switch_the_definer_bypass_on()
    {
        await TwoTenantsAsync();
        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();

        await Should.ThrowAsync<PostgresException>(() => connection.ExecuteScalarAsync<string>("select enter_definer()"));
        await connection.ExecuteAsync("select set_config('gatehouse.definer', 'on', false)");
        (await connection.ExecuteScalarAsync<long>("select count(*) from users")).ShouldBe(0);
    }

    [Fact]
    public async Task The_runtime_role_owns_nothing_and_bypasses_nothing()
    {
        await using var dataSource = RuntimeRole();
        await using var connection = await dataSource.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<bool>("select rolsuper or rolbypassrls from pg_roles where rolname = current_user")).ShouldBeFalse();
        (await connection.ExecuteScalarAsync<long>("select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user")).ShouldBe(0);
        (await App.ScalarAsync<long>("select count(*) from pg_class where relname = any(@tables) and relrowsecurity and relforcerowsecurity",
            new { tables = TenantTables })).ShouldBe(TenantTables.Length);
    }

    [Fact]
    public async Task A_runtime_role_that_bypasses_row_level_security_is_refused_outside_development()
    {
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["ASPNETCORE_ENVIRONMENT"] = "Staging";
        env["DATABASE_URL"] = App.Db.SuperuserUrl;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain("BYPASSRLS");
    }

    [Fact]
    public async Task One_role_for_both_urls_starts_with_a_warning()
    {
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["DATABASE_URL"] = App.Db.OwnerUrl;
        env["MIGRATION_DATABASE_URL"] = null;
        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        api.Output.ShouldContain("FORCE ROW LEVEL SECURITY alone");
    }

    [Fact]
    public async Task With_one_role_for_both_urls_tenants_stay_apart()
    {
        var (a, b) = await TwoTenantsAsync();
        await using var dataSource = NpgsqlDataSource.Create(App.Db.ConnectionString(owner: true));
        await using var db = await new Db(dataSource, App.Factory.Services.GetRequiredService<Gatehouse.Infrastructure.Caching.CallerCache>()).BeginAsync(a.Id, a.WorkspaceId, default);
        (await db.QueryAsync<Guid>("select id from workspaces", null, default)).ShouldBe([a.WorkspaceId]);
        (await db.QueryAsync<Guid>("select id from users where id = @id", new { id = b.Id }, default)).ShouldBeEmpty();
    }
}
