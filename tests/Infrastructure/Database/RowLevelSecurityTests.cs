using Microsoft.Extensions.DependencyInjection;
using Dapper;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Tests.Support;
using Npgsql;
using Me = Gatehouse.Features.Profile.Me;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;

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
        await a.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "a" });
        await b.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "b" });
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

        await connection.ExecuteAsync("select set_config('gatehouse.definer', 'on', false)");
        (await connection.ExecuteScalarAsync<long>("select count(*) from users")).ShouldBe(0);
    }

    [Fact]
    public async Task An_error_inside_a_definer_function_leaves_the_definer_flag_off_for_the_rest_of_the_transaction()
    {
        // As the owner: with one role for both URLs a flag left on would lift every policy.
        var (a, _) = await TwoTenantsAsync();
        await using var connection = new NpgsqlConnection(App.Db.ConnectionString(owner: true));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        const string collides = "select ensure_superuser(@email, @id, @workspace)"; // inserts a user whose id is taken

        await transaction.SaveAsync("before");
        var error = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteScalarAsync<Guid>(collides,
            new { email = Unique.Email(), id = a.Id, workspace = Guid.NewGuid() }, transaction));
        error.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        await transaction.RollbackAsync("before");
        (await connection.ExecuteScalarAsync<bool>("select in_definer()", transaction: transaction)).ShouldBeFalse();

        // Caught inside PL/pgSQL rather than by the client.
        await connection.ExecuteAsync($$"""
            do $$ begin
                perform ensure_superuser('{{Unique.Email()}}', '{{a.Id}}', '{{Guid.NewGuid()}}');
            exception when unique_violation then null;
            end $$
            """, transaction: transaction);
        (await connection.ExecuteScalarAsync<bool>("select in_definer()", transaction: transaction)).ShouldBeFalse();
        (await connection.ExecuteScalarAsync<long>("select count(*) from users", transaction: transaction)).ShouldBe(0);
    }

    [Fact]
    public async Task Every_definer_function_declares_the_flag_and_no_body_sets_it_by_hand()
    {
        // A function-level SET is restored by PostgreSQL on every exit; a hand-written bracket is
        // restored only on the paths that remember to call it.
        var undeclared = await App.QueryAsync<string>("""
            select p.oid::regprocedure::text from pg_proc p
            where p.pronamespace = 'public'::regnamespace and p.prosecdef
              and not coalesce('gatehouse.definer=on' = any(p.proconfig), false)
            """);
        undeclared.ShouldBeEmpty();
        var bracketed = await App.QueryAsync<string>("""
            select p.oid::regprocedure::text from pg_proc p
            where p.pronamespace = 'public'::regnamespace
              and (p.prosrc like '%enter_definer%' or p.prosrc like '%leave_definer%' or p.prosrc like '%set_config(''gatehouse.definer''%')
            """);
        bracketed.ShouldBeEmpty();
        // The bracket and the callers it served are gone (0011), so nothing is left to grant or misuse.
        (await App.QueryAsync<string>("""
            select proname::text from pg_proc where pronamespace = 'public'::regnamespace
              and proname in ('enter_definer', 'leave_definer', 'find_caller', 'authenticate_api_key')
            """)).ShouldBeEmpty();
        (await App.ScalarAsync<long>("select count(*) from pg_proc where pronamespace = 'public'::regnamespace and prosecdef"))
            .ShouldBeGreaterThan(15);
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
        env["MIGRATION_DATABASE_URL"] = App.Db.OwnerUrl;
        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        api.Output.ShouldContain("FORCE ROW LEVEL SECURITY alone");
    }

    [Fact]
    public async Task A_database_url_alone_starts_without_the_same_role_warning()
    {
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["DATABASE_URL"] = App.Db.OwnerUrl;
        env["MIGRATION_DATABASE_URL"] = null;
        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        api.Output.ShouldContain("Now listening on");
        api.Output.ShouldNotContain("name the same role");
    }

    /// <summary>Gatehouse on a DATABASE_URL whose port refuses connections until the forwarder opens it.</summary>
    private Dictionary<string, string?> DatabaseDownEnvironment(TcpForwarder database, string runtimeUrl, string environment)
    {
        var env = TestApp.Environment(App.Db, App.Auth0, null);
        env["ASPNETCORE_ENVIRONMENT"] = environment;
        env["DATABASE_URL"] = database.Through(runtimeUrl);
        env["MIGRATE_ON_STARTUP"] = "false";
        return env;
    }

    private async Task<HttpResponseMessage> MeAsync(ApiProcess api, string subject)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Route.To<Me.Endpoint>());
        request.Headers.Authorization = new("Bearer", App.Auth0.Token(subject, Unique.Claims(Unique.Email(), "Late Riser")));
        return await api.Http.SendAsync(request);
    }

    [Fact]
    public async Task Until_the_database_answers_the_role_is_unchecked_so_ready_is_503_and_requests_wait_then_proceed()
    {
        await using var database = TcpForwarder.ToTestCluster();
        await using var api = await ApiProcess.StartAsync(DatabaseDownEnvironment(database, App.Db.AppUrl, "Staging"));
        var subject = Unique.Subject();

        var ready = await api.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("database_role");
        var waiting = await MeAsync(api, subject);
        var problem = await waiting.ShouldBeProblemAsync(System.Net.HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("detail").GetString()!.ShouldContain("not checked yet");
        waiting.Headers.RetryAfter.ShouldNotBeNull();
        // No credential is still a 401: deciding that needs no database.
        (await api.Http.GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);

        database.Open();

        (await MeAsync(api, subject)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await api.Http.GetAsync("/health/ready")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await App.ScalarAsync<long>("select count(*) from users where auth0_id = @subject", new { subject })).ShouldBe(1);
    }

    [Fact]
    public async Task A_role_that_bypasses_row_level_security_is_refused_once_the_database_answers()
    {
        await using var database = TcpForwarder.ToTestCluster();
        await using var api = await ApiProcess.StartAsync(DatabaseDownEnvironment(database, App.Db.SuperuserUrl, "Staging"));
        var subject = Unique.Subject();

        database.Open();

        var refused = await MeAsync(api, subject);
        var problem = await refused.ShouldBeProblemAsync(System.Net.HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("detail").GetString()!.ShouldContain("BYPASSRLS");
        var ready = await api.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("BYPASSRLS");
        (await App.ScalarAsync<long>("select count(*) from users where auth0_id = @subject", new { subject })).ShouldBe(0);
    }

    /// <summary>
    /// A fresh database as an older PostgreSQL (or a generous DBA) left it: CREATE on public for PUBLIC
    /// and for the runtime role. Optionally lets the runtime role create objects there first, then migrates.
    /// </summary>
    private static async Task<(TestDatabase Db, string RuntimeRole)> MigratedAfterCreateWasOpenAsync(string purpose, string? runtimeRoleSql = null)
    {
        var db = await TestDatabase.CreateAsync(purpose);
        var runtimeRole = new NpgsqlConnectionStringBuilder(db.ConnectionString(owner: false)).Username!;
        await using (var superuser = await db.Superuser.OpenConnectionAsync())
            await superuser.ExecuteAsync($"grant create on schema public to public; grant create on schema public to \"{runtimeRole}\"");
        if (runtimeRoleSql is not null)
        {
            await using var runtime = new NpgsqlConnection(db.ConnectionString(owner: false));
            await runtime.OpenAsync();
            await runtime.ExecuteAsync(runtimeRoleSql);
        }
        var result = Migrator.Apply(db.ConnectionString(), Migrator.EmbeddedScripts(), runtimeRole,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        result.Successful.ShouldBeTrue(result.Error);
        return (db, runtimeRole);
    }

    [Fact]
    public async Task After_migrating_the_runtime_role_cannot_create_in_public_whatever_it_was_granted()
    {
        var (db, _) = await MigratedAfterCreateWasOpenAsync("nocreate");

        await using var runtime = new NpgsqlConnection(db.ConnectionString(owner: false));
        await runtime.OpenAsync();
        (await runtime.ExecuteScalarAsync<bool>("select has_schema_privilege(current_user, 'public', 'CREATE')")).ShouldBeFalse();
        (await runtime.ExecuteScalarAsync<bool>("select has_schema_privilege('public', 'public', 'CREATE')")).ShouldBeFalse();
        var refused = await Should.ThrowAsync<PostgresException>(() =>
            runtime.ExecuteAsync("create function public.lower(text) returns text language sql as $$ select 'shadow' $$"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Fact]
    public async Task Every_function_in_public_pins_its_search_path()
    {
        var unpinned = await App.QueryAsync<string>("""
            select p.oid::regprocedure::text from pg_proc p
            where p.pronamespace = 'public'::regnamespace
              and not coalesce('search_path=pg_catalog, public, pg_temp' = any(p.proconfig), false)
            """);
        unpinned.ShouldBeEmpty();
        (await App.ScalarAsync<long>("select count(*) from pg_proc where pronamespace = 'public'::regnamespace")).ShouldBeGreaterThan(15);
    }

    [Fact]
    public async Task Definer_functions_never_run_a_look_alike_the_runtime_role_put_in_public()
    {
        // More exact matches than pg_catalog's polymorphic array_length(anyarray, integer) and
        // array_agg(anynonarray): unqualified calls in a definer body would pick these, as the owner.
        const string lookAlikes = """
            create function public.array_length(uuid[], integer) returns integer language plpgsql
                as $$ begin raise exception 'look-alike array_length ran as %', current_user; end $$;
            create function public.shadow_step(uuid[], uuid) returns uuid[] language plpgsql
                as $$ begin raise exception 'look-alike array_agg ran as %', current_user; end $$;
            create aggregate public.array_agg(uuid) (sfunc = public.shadow_step, stype = uuid[]);
            """;
        var (db, _) = await MigratedAfterCreateWasOpenAsync("shadow", lookAlikes);
        var email = Unique.Email();
        var userId = Guid.NewGuid();
        await using (var superuser = await db.Superuser.OpenConnectionAsync())
            await superuser.ExecuteAsync("insert into users (id, email, email_verified) values (@userId, @email, true)", new { userId, email });

        await using var runtime = new NpgsqlConnection(db.ConnectionString(owner: false));
        await runtime.OpenAsync();
        (await runtime.ExecuteScalarAsync<Guid?>("select link_identity_by_email('auth0', @subject, @email, true, 'Linked', null, null, null)",
            new { subject = Unique.Subject(), email })).ShouldBe(userId);
        (await runtime.QueryAsync<Guid>("select find_verified_users_by_email(@email)", new { email })).ShouldBe([userId]);
        (await runtime.ExecuteScalarAsync<Guid>("select ensure_superuser(@email, @id, @workspace)",
            new { email = Unique.Email(), id = Guid.NewGuid(), workspace = Guid.NewGuid() })).ShouldNotBe(Guid.Empty);
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
