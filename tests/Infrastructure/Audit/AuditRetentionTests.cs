using Dapper;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Audit;

/// <summary><c>dotnet Api.dll prune-audit</c>, run as an operator would, on a database of its own.</summary>
public sealed class AuditRetentionTests
{
    private static async Task<(TestDatabase Db, Dictionary<string, string?> Env)> MigratedAsync()
    {
        var db = await TestDatabase.CreateAsync("retention");
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = db.AppUrl, ["MIGRATION_DATABASE_URL"] = db.OwnerUrl };
        var (exit, output) = await ApiProcess.RunAsync(env, "migrate");
        exit.ShouldBe(0, output);
        return (db, env);
    }

    // For the runs that must delete nothing: one database, each test with a row of its own.
    private static readonly Lazy<Task<(TestDatabase Db, Dictionary<string, string?> Env)>> Untouched = new(MigratedAsync);

    private static async Task AddEventAsync(TestDatabase db, string targetId, int daysAgo)
    {
        await using var connection = await db.Superuser.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into audit_events (occurred_at, action, actor_method, target_type, target_id)
            values (now() - make_interval(days => @daysAgo), 'user.disabled', 'system', 'user', @targetId)
            """, new { targetId, daysAgo });
    }

    private static async Task<List<string>> TargetsAsync(TestDatabase db)
    {
        await using var connection = await db.Superuser.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("select target_id from audit_events order by target_id")).ToList();
    }

    private static async Task<bool> ExistsAsync(TestDatabase db, string targetId)
    {
        await using var connection = await db.Superuser.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>("select exists (select 1 from audit_events where target_id = @targetId)", new { targetId });
    }

    [Fact]
    public async Task Prunes_every_event_older_than_the_cutoff_across_batches_and_keeps_the_rest()
    {
        var (db, env) = await MigratedAsync();
        foreach (var (target, days) in new[] { ("old-1", 400), ("old-2", 500), ("old-3", 366), ("recent-1", 10), ("recent-2", 364) })
            await AddEventAsync(db, target, days);

        // A batch of 2 takes two full batches and a short one: the loop must not stop after the first.
        var (exit, output) = await ApiProcess.RunAsync(env, "prune-audit", "--older-than-days", "365", "--batch", "2");

        exit.ShouldBe(0, output);
        output.ShouldContain("Pruned 3 audit event(s)");
        (await TargetsAsync(db)).ShouldBe(["recent-1", "recent-2"]);

        var (again, againOutput) = await ApiProcess.RunAsync(env, "prune-audit", "--older-than-days", "365");
        again.ShouldBe(0, againOutput);
        againOutput.ShouldContain("Pruned 0 audit event(s)");
    }

    [Theory]
    [InlineData]
    [InlineData("--older-than-days")]
    [InlineData("--older-than-days", "0")]
    [InlineData("--older-than-days", "-5")]
    [InlineData("--older-than-days", "ten")]
    [InlineData("--older-than-days", "30", "--batch", "0")]
    [InlineData("--older-than-days", "30", "--batch", "1000000")]
    [InlineData("--older-than-days", "30", "--vacuum")]
    public async Task Bad_arguments_exit_2_with_the_usage_and_delete_nothing(params string[] arguments)
    {
        var (db, env) = await Untouched.Value;
        var target = $"old-{Guid.NewGuid():N}";
        await AddEventAsync(db, target, 400);

        var (exit, output) = await ApiProcess.RunAsync(env, ["prune-audit", .. arguments]);

        exit.ShouldBe(2, output);
        output.ShouldContain("usage: prune-audit --older-than-days N");
        (await ExistsAsync(db, target)).ShouldBeTrue();
    }

    [Fact]
    public async Task As_the_runtime_role_it_is_refused_with_one_line_and_deletes_nothing()
    {
        var (db, _) = await Untouched.Value;
        var target = $"old-{Guid.NewGuid():N}";
        await AddEventAsync(db, target, 400);

        var (exit, output) = await ApiProcess.RunAsync(
            new Dictionary<string, string?> { ["DATABASE_URL"] = db.AppUrl }, "prune-audit", "--older-than-days", "30");

        exit.ShouldBe(1, output);
        output.ShouldContain("prune-audit needs the schema owner");
        output.ShouldNotContain("gatehouse-app-dev"); // the password in the URL
        (await ExistsAsync(db, target)).ShouldBeTrue();
    }
}
