using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.ApiKeys;

/// <summary>CreateApiKey, ListApiKeys, RevealApiKey, RevokeApiKey, and X-API-Key authentication.</summary>
public sealed class ApiKeysTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private const string Keys = "/api/v1/api-keys";
    private const string Me = "/api/v1/auth/me";

    private async Task<JsonElement> CreateKeyAsync(TestUser user, object? body = null) =>
        await (await user.PostAsync(Keys, body ?? new { name = "ci" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);

    private async Task<Guid> DefaultKeyIdAsync(TestUser user) =>
        (await (await user.Client().GetAsync(Keys)).ShouldBeOkJsonAsync()).EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "Default key").GetProperty("id").GetGuid();

    [Fact]
    public async Task Missing_credentials_are_401_on_every_key_route()
    {
        var client = App.Client();
        (await client.GetAsync(Keys)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostAsJsonAsync(Keys, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.DeleteAsync($"{Keys}/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostAsync($"{Keys}/{Guid.NewGuid()}/reveal", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":"ok","expires_in_days":0}""", "expires_in_days")]
    [InlineData("""{"name":"ok","expires_in_days":366}""", "expires_in_days")]
    public async Task Create_with_invalid_fields_is_400_and_creates_nothing(string body, string field)
    {
        var user = await TestUser.CreateAsync(App);
        var problem = await (await user.Client().PostAsync(Keys, HttpAssertions.Json(body))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await App.ScalarAsync<int>("select count(*) from api_keys where user_id = @id", new { id = user.Id })).ShouldBe(1);
    }

    [Fact]
    public async Task A_key_works_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await CreateKeyAsync(user, new { name = "deploys", expires_in_days = 30 });
        var key = created.GetProperty("key").GetString()!;
        key.ShouldStartWith("gh_");
        key.Length.ShouldBeGreaterThanOrEqualTo(3 + 43);
        key.ShouldStartWith(created.GetProperty("prefix").GetString()!);
        created.GetProperty("workspace_id").GetGuid().ShouldBe(user.WorkspaceId);
        created.GetProperty("expires_at").GetDateTimeOffset().ShouldBeInRange(DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        var me = await (await App.Client(apiKey: key).GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("id").GetGuid().ShouldBe(user.Id);
        me.GetProperty("auth_method").GetString().ShouldBe("api_key");
        me.GetProperty("organization_id").GetGuid().ShouldBe(user.WorkspaceId);
        me.GetProperty("permissions").GetArrayLength().ShouldBe(0);

        var listResponse = await user.Client().GetAsync(Keys);
        var listBody = await listResponse.Content.ReadAsStringAsync();
        listBody.ShouldNotContain(key);
        var listed = JsonDocument.Parse(listBody).RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "deploys");
        listed.GetProperty("last_used_at").ValueKind.ShouldBe(JsonValueKind.String);
        listed.GetProperty("revealable").GetBoolean().ShouldBeFalse();
        (await App.ScalarAsync<int>("select count(*) from api_keys where key_hash = sha256(convert_to(@key, 'UTF8'))", new { key })).ShouldBe(1);

        (await user.Client().DeleteAsync($"{Keys}/{created.GetProperty("id").GetGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var after = await App.Client(apiKey: key).GetAsync(Me);
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        after.Headers.WwwAuthenticate.ToString().ShouldContain("ApiKey");
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await CreateKeyAsync(user);
        var key = created.GetProperty("key").GetString()!;
        await App.Client(apiKey: key).GetAsync(Me);
        var version = await App.ScalarAsync<string>("select xmin::text from api_keys where id = @id", new { id = created.GetProperty("id").GetGuid() });

        await App.Client(apiKey: key).GetAsync(Me);
        await App.Client(apiKey: key).GetAsync(Me);

        (await App.ScalarAsync<string>("select xmin::text from api_keys where id = @id", new { id = created.GetProperty("id").GetGuid() })).ShouldBe(version);
    }

    [Fact]
    public async Task Unknown_malformed_and_expired_keys_are_401()
    {
        var user = await TestUser.CreateAsync(App);
        var created = await CreateKeyAsync(user, new { name = "short-lived", expires_in_days = 1 });
        await App.ExecuteAsync("update api_keys set created_at = now() - interval '3 days', expires_at = now() - interval '1 day' where id = @id",
            new { id = created.GetProperty("id").GetGuid() });

        foreach (var key in new[] { created.GetProperty("key").GetString()!, "gh_" + new string('A', 43), "not-a-key", "" })
        {
            var response = await App.Client(apiKey: key).GetAsync(Me);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_key_runs_in_its_own_workspace_whatever_the_header_says()
    {
        var user = await TestUser.CreateAsync(App);
        var second = (await (await user.PostAsync("/api/v1/workspaces", new { name = "second" })).ShouldBeOkJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var key = (await CreateKeyAsync(user)).GetProperty("key").GetString()!;

        var client = App.Client(apiKey: key, workspace: second);
        var me = await (await client.GetAsync(Me)).ShouldBeOkJsonAsync();
        me.GetProperty("organization_id").GetGuid().ShouldBe(user.WorkspaceId);

        await (await App.Client(apiKey: key).GetAsync($"/api/v1/workspaces/{second}/members")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_api_key_cannot_create_or_reveal_keys()
    {
        var user = await TestUser.CreateAsync(App);
        var key = (await CreateKeyAsync(user)).GetProperty("key").GetString()!;
        var viaKey = App.Client(apiKey: key);

        var defaultKey = await DefaultKeyIdAsync(user);

        foreach (var response in new[]
                 {
                     await viaKey.PostAsJsonAsync(Keys, new { name = "child" }),
                     await viaKey.PostAsync($"{Keys}/{defaultKey}/reveal", null),
                 })
        {
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            problem.GetProperty("detail").GetString()!.ShouldContain("needs a user's token");
            response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer error=\"insufficient_scope\"");
        }
        (await App.ScalarAsync<int>("select count(*) from api_keys where user_id = @id", new { id = user.Id })).ShouldBe(2);
        (await App.ScalarAsync<bool>("select sealed_key is not null from api_keys where id = @id", new { id = defaultKey })).ShouldBeTrue();
    }

    [Fact]
    public async Task Another_users_key_is_404_on_delete_and_reveal_and_keeps_working()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var created = await CreateKeyAsync(owner);
        var id = created.GetProperty("id").GetGuid();

        await (await other.Client().DeleteAsync($"{Keys}/{id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Client().PostAsync($"{Keys}/{await DefaultKeyIdAsync(owner)}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await App.Client(apiKey: created.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task First_login_creates_a_default_key_that_is_revealed_once_then_410()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await DefaultKeyIdAsync(user);
        (await App.ScalarAsync<bool>("select sealed_key is not null and is_default from api_keys where id = @id", new { id })).ShouldBeTrue();

        var revealed = await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeOkJsonAsync();
        var key = revealed.GetProperty("key").GetString()!;

        (await App.ScalarAsync<bool>("select sealed_key is null from api_keys where id = @id", new { id })).ShouldBeTrue();
        (await App.Client(apiKey: key).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Concurrent_reveals_let_exactly_one_through()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await DefaultKeyIdAsync(user);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => user.Client().PostAsync($"{Keys}/{id}/reveal", null)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Gone).ShouldBe(9);
        var revealed = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ShouldBeOkJsonAsync();
        (await App.Client(apiKey: revealed.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await App.ScalarAsync<bool>("select sealed_key is null from api_keys where id = @id", new { id })).ShouldBeTrue();
    }

    private Task<string?> SealedKeyAsync(Guid id) =>
        App.ScalarAsync<string?>("select sealed_key from api_keys where id = @id", new { id });

    private Task SetSealedKeyAsync(Guid id, string sealedKey) =>
        App.ExecuteAsync("update api_keys set sealed_key = @sealedKey where id = @id", new { id, sealedKey });

    [Fact]
    public async Task A_damaged_sealed_copy_is_503_and_stays_in_place()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await DefaultKeyIdAsync(user);
        var damaged = (await SealedKeyAsync(id))![..^8] + "AAAAAAAA";
        await SetSealedKeyAsync(id, damaged);

        var problem = await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);

        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing was erased");
        (await SealedKeyAsync(id)).ShouldBe(damaged);
        // Still kept, so still not "revealed already".
        await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_key_sealed_under_another_key_ring_is_kept_and_revealed_once_the_ring_holds_its_key()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await DefaultKeyIdAsync(user);
        var original = (await SealedKeyAsync(id))!;
        // A well-formed payload, sealed with the same purpose, by a key this instance's ring has never held.
        var foreign = new EphemeralDataProtectionProvider()
            .CreateProtector("Gatehouse.ApiKeys.DefaultKey.v1").Protect("gh_from-another-ring");
        await SetSealedKeyAsync(id, foreign);

        await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        (await SealedKeyAsync(id)).ShouldBe(foreign);

        await SetSealedKeyAsync(id, original);
        var revealed = await (await user.Client().PostAsync($"{Keys}/{id}/reveal", null)).ShouldBeOkJsonAsync();
        (await App.Client(apiKey: revealed.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SealedKeyAsync(id)).ShouldBeNull();
    }

    [Fact]
    public async Task The_sealed_default_key_survives_a_restart_and_another_instance()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await DefaultKeyIdAsync(user);
        await using var otherInstance = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Keys}/{id}/reveal");
        request.Headers.Authorization = new("Bearer", user.Token);
        var revealed = await (await otherInstance.Http.SendAsync(request)).ShouldBeOkJsonAsync();

        (await App.Client(apiKey: revealed.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
