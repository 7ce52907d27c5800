using System.Net;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Infrastructure.Web;

public sealed class HealthTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Live_and_ready_are_200_when_the_database_is_migrated()
    {
        var client = fixture.App.Client();
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_is_503_when_the_database_is_down_while_live_stays_200()
    {
        var app = fixture.App;
        var env = TestApp.Environment(app.Db, app.Auth0, null);
        env["DATABASE_URL"] = "postgres://nobody:nothing@127.0.0.1:1/none";
        env["MIGRATION_DATABASE_URL"] = null;
        env["MIGRATE_ON_STARTUP"] = "false";
        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await api.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("database");
    }

    [Fact]
    public async Task Ready_is_503_while_migrations_are_pending()
    {
        var app = fixture.App;
        var empty = await TestDatabase.CreateAsync("pending");
        var env = TestApp.Environment(empty, app.Auth0, null);
        env["MIGRATE_ON_STARTUP"] = "false";
        env["DATABASE_URL"] = empty.OwnerUrl;
        env["MIGRATION_DATABASE_URL"] = null;
        await using var api = await ApiProcess.StartAsync(env);

        var ready = await api.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("0001_create_schema.sql");
    }
}
