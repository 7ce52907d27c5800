using Dapper;
using DbUp.Engine;
using Gatehouse.Infrastructure.Database;
using Gatehouse.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Tests.Infrastructure.Database;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_a_rerun_is_a_no_op()
    {
        var db = await TestDatabase.CreateAsync("migrate");
        var scripts = Migrator.EmbeddedScripts();
        scripts.ShouldNotBeEmpty();

        var first = Migrator.Apply(db.ConnectionString(), scripts, null, NullLogger.Instance);
        first.Successful.ShouldBeTrue(first.Error);
        first.Applied.ShouldBe(scripts.Select(s => s.Name).ToList());

        var second = Migrator.Apply(db.ConnectionString(), scripts, null, NullLogger.Instance);
        second.Successful.ShouldBeTrue();
        second.Applied.ShouldBeEmpty();

        await using var connection = await db.Superuser.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public'")).ToList();
        tables.ShouldContain("users");
        tables.ShouldContain("workspaces");
        tables.ShouldContain("workspace_members");
        tables.ShouldContain("api_keys");
        (await Migrator.PendingAsync(db.Superuser, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_database_migrated_before_the_function_files_ends_with_the_functions_of_a_fresh_one()
    {
        var scripts = Migrator.EmbeddedScripts();
        // What main deployed before migrations/functions/ existed: the run-once scripts 0001-0006.
        var old = scripts.Where(s => string.CompareOrdinal(s.Name, "0007") < 0).ToList();
        old.Select(s => s.Name).ShouldBe(["0001_create_schema.sql", "0002_create_data_protection_keys.sql",
            "0003_enable_row_level_security.sql", "0004_harden_functions.sql", "0005_notify_cache_changes.sql",
            "0006_admin_set_user_active.sql"]);
        var upgraded = await TestDatabase.CreateAsync("upgraded");
        Migrator.Apply(upgraded.ConnectionString(), old, null, NullLogger.Instance).Successful.ShouldBeTrue();

        var upgrade = Migrator.Apply(upgraded.ConnectionString(), scripts, null, NullLogger.Instance);
        upgrade.Successful.ShouldBeTrue(upgrade.Error);
        upgrade.Applied.ShouldBe(scripts.Except(old).Select(s => s.Name).ToList());
        upgrade.Applied.ShouldContain(n => n.StartsWith("functions/load_caller.sql@"));

        var fresh = await TestDatabase.CreateAsync("fresh");
        Migrator.Apply(fresh.ConnectionString(), scripts, null, NullLogger.Instance).Successful.ShouldBeTrue();
        var expected = await FunctionsAsync(fresh);
        expected.Keys.ShouldContain("load_caller(uuid,text,text)");
        (await FunctionsAsync(upgraded)).ShouldBe(expected);

        Migrator.Apply(upgraded.ConnectionString(), scripts, null, NullLogger.Instance).Applied.ShouldBeEmpty();
        (await Migrator.PendingAsync(upgraded.Superuser, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_function_file_is_applied_again_when_its_content_changes_and_only_then()
    {
        var db = await TestDatabase.CreateAsync("rerun");
        var scripts = Migrator.EmbeddedScripts();
        Migrator.Apply(db.ConnectionString(), scripts, null, NullLogger.Instance).Successful.ShouldBeTrue();
        var original = scripts.Single(s => s.Name.StartsWith("functions/touch_api_key.sql@"));
        var changed = Migrator.FunctionScript("touch_api_key.sql",
            original.Contents.Replace("at most one write per key per minute", "one write a minute"));
        changed.Name.ShouldNotBe(original.Name);
        var edited = scripts.Select(s => s == original ? changed : s).ToList();

        var result = Migrator.Apply(db.ConnectionString(), edited, null, NullLogger.Instance);

        result.Applied.ShouldBe([changed.Name]);
        Migrator.Apply(db.ConnectionString(), edited, null, NullLogger.Instance).Applied.ShouldBeEmpty();
    }

    /// <summary>Every function in schema public: its definition (with its SET clauses) and who may execute it.</summary>
    private static async Task<Dictionary<string, string>> FunctionsAsync(TestDatabase db)
    {
        await using var connection = await db.Superuser.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Signature, string Definition)>("""
            select p.oid::regprocedure::text, pg_get_functiondef(p.oid) || coalesce(p.proacl::text, '')
            from pg_proc p where p.pronamespace = 'public'::regnamespace
            order by 1
            """);
        // In signature order: Shouldly compares dictionaries entry by entry, so catalog order would make it flaky.
        return rows.ToDictionary(r => r.Signature, r => r.Definition);
    }

    [Fact]
    public async Task A_broken_script_fails_naming_the_script_and_rolls_back_its_changes()
    {
        var db = await TestDatabase.CreateAsync("broken");
        var broken = new SqlScript("9999_broken.sql", "create table half_done (id int); select * from no_such_table;");
        var scripts = Migrator.EmbeddedScripts().Append(broken);

        var result = Migrator.Apply(db.ConnectionString(), scripts, null, NullLogger.Instance);

        result.Successful.ShouldBeFalse();
        result.FailedScript.ShouldBe("9999_broken.sql");
        result.Describe().ShouldStartWith("Migration failed in script 9999_broken.sql: ");
        await using var connection = await db.Superuser.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('half_done') is not null")).ShouldBeFalse();
        (await connection.ExecuteScalarAsync<bool>("select to_regclass('users') is not null")).ShouldBeTrue();
    }

    [Fact]
    public async Task Migrate_command_exits_zero_and_then_reports_up_to_date()
    {
        var db = await TestDatabase.CreateAsync("cmd");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = db.AppUrl, ["MIGRATION_DATABASE_URL"] = db.OwnerUrl };

        var (exit, output) = await ApiProcess.RunAsync(env, "migrate");
        exit.ShouldBe(0, output);
        output.ShouldContain("0001_create_schema.sql");

        var (again, againOutput) = await ApiProcess.RunAsync(env, "migrate");
        again.ShouldBe(0, againOutput);
        againOutput.ShouldContain("up to date");
    }

    [Fact]
    public async Task Migrate_command_fails_without_echoing_a_malformed_url()
    {
        var (exit, output) = await ApiProcess.RunAsync(
            new Dictionary<string, string?> { ["DATABASE_URL"] = "mysql://root:s3cret-pw@db/x" }, "migrate");

        exit.ShouldNotBe(0);
        output.ShouldContain("DATABASE_URL");
        output.ShouldNotContain("s3cret-pw");
    }

    [Fact]
    public async Task Migrate_command_with_a_wrong_password_says_in_one_line_that_the_database_refused_the_connection()
    {
        var db = await TestDatabase.CreateAsync("badpw");
        var wrong = new UriBuilder(db.OwnerUrl) { Password = "not-the-password-7f3" }.Uri.ToString();

        var (exit, output) = await ApiProcess.RunAsync(new Dictionary<string, string?> { ["DATABASE_URL"] = wrong }, "migrate");

        exit.ShouldNotBe(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBe(1, output);
        lines[0].ShouldStartWith("Migration failed: the database refused the connection");
        lines[0].ShouldContain("password authentication failed");
        output.ShouldNotContain("not-the-password-7f3");
    }

    [Fact]
    public async Task Migrate_command_against_a_port_nobody_listens_on_says_the_database_did_not_answer()
    {
        await using var nobody = TcpForwarder.ToTestCluster();
        var db = await TestDatabase.CreateAsync("down");

        var (exit, output) = await ApiProcess.RunAsync(
            new Dictionary<string, string?> { ["DATABASE_URL"] = nobody.Through(db.OwnerUrl) }, "migrate");

        exit.ShouldNotBe(0);
        output.Trim().Split('\n').Length.ShouldBe(1, output);
        output.ShouldStartWith("Migration failed: the database did not answer");
    }

    [Fact]
    public async Task After_start_up_no_migration_is_pending()
    {
        var app = await TestApp.GetAsync();
        (await Migrator.PendingAsync(app.Superuser, default)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("postgres://u:p%40ss@db.example.com:6543/gate?sslmode=require", "db.example.com", 6543, "gate", "u", "p@ss")]
    [InlineData("postgresql://user@localhost/app", "localhost", 5432, "app", "user", null)]
    public void Database_urls_become_connection_strings(string url, string host, int port, string database, string user, string? password)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString(url, "DATABASE_URL"));
        builder.Host.ShouldBe(host);
        builder.Port.ShouldBe(port);
        builder.Database.ShouldBe(database);
        builder.Username.ShouldBe(user);
        builder.Password.ShouldBe(password);
    }
}
