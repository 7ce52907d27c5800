using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Support;
using Me = Gatehouse.Features.Profile.Me;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using ListUsers = Gatehouse.Features.Admin.ListUsers;
using Config = Gatehouse.Features.Auth.Config;

namespace Gatehouse.Tests.Infrastructure.Auth;

public sealed class StartupConfigurationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private Dictionary<string, string?> Environment() => TestApp.Environment(fixture.App.Db, fixture.App.Auth0, null);

    [Fact]
    public async Task System_mode_acts_as_the_first_superuser_without_credentials()
    {
        var env = Environment();
        var email = Unique.Email();
        env["ENABLE_AUTH"] = "false";
        env["FIRST_SUPERUSER"] = email;
        await using var api = await ApiProcess.StartAsync(env);

        var me = await (await api.Http.GetAsync(Route.To<Me.Endpoint>())).ShouldBeOkJsonAsync();

        me.GetProperty("auth_method").GetString().ShouldBe("system");
        me.GetProperty("email").GetString().ShouldBe(email);
        me.GetProperty("organization_id").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.String);
        api.Output.ShouldContain("ENABLE_AUTH=false");
        (await api.Http.GetAsync(Route.To<ListUsers.Endpoint>() + "?limit=1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // System mode's user counts as a user's token where API keys are refused.
        (await api.Http.PostAsJsonAsync(Route.To<CreateApiKey.Endpoint>(), new { name = "system" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await fixture.App.ScalarAsync<bool>("select is_superuser from users where email = @email", new { email })).ShouldBeTrue();
    }

    [Fact]
    public async Task System_mode_is_refused_in_production()
    {
        var env = Environment();
        env["ENABLE_AUTH"] = "false";
        env["FIRST_SUPERUSER"] = Unique.Email();
        env["ASPNETCORE_ENVIRONMENT"] = "Production";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain("Production");
    }

    [Theory]
    [InlineData("Staging")]
    [InlineData("Test")]
    public async Task System_mode_is_refused_outside_development(string environment)
    {
        var env = Environment();
        env["ENABLE_AUTH"] = "false";
        env["FIRST_SUPERUSER"] = Unique.Email();
        env["ASPNETCORE_ENVIRONMENT"] = environment;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("ENABLE_AUTH=false");
        output.ShouldContain("ASPNETCORE_ENVIRONMENT=Development");
    }

    [Fact]
    public async Task Allow_http_is_refused_in_production()
    {
        var env = Environment();
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["AUTH_ALLOW_HTTP"] = "true";
        // An https issuer, so that only AUTH_ALLOW_HTTP itself can be the reason.
        env["AUTH0_ISSUER"] = "https://tenant.example.com/";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("AUTH_ALLOW_HTTP=true is refused");
    }

    [Fact]
    public async Task Allow_http_is_accepted_outside_production()
    {
        var env = Environment();
        env["ASPNETCORE_ENVIRONMENT"] = "Staging";
        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync(Route.To<Config.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Auth_enabled_without_a_provider_is_refused_naming_the_variables()
    {
        var env = Environment();
        env["AUTH0_ISSUER"] = null;
        env["AUTH0_AUDIENCE"] = null;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain("AUTH0_DOMAIN");
        output.ShouldContain("AUTHENTIK_BASE_URL");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("366")]
    [InlineData("seven")]
    public async Task An_invitation_ttl_outside_1_to_365_days_is_refused_naming_the_variable(string value)
    {
        var env = Environment();
        env["INVITATION_TTL_DAYS"] = value;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("INVITATION_TTL_DAYS must be a whole number of days from 1 to 365");
    }

    [Fact]
    public async Task An_http_issuer_without_allow_http_is_refused()
    {
        var env = Environment();
        env["AUTH_ALLOW_HTTP"] = null;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0);
        output.ShouldContain("AUTH_ALLOW_HTTP");
    }
}
