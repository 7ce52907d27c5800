using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Gatehouse.Tests.Support;
using RevealApiKey = Gatehouse.Features.ApiKeys.RevealApiKey;
using Me = Gatehouse.Features.Profile.Me;

namespace Gatehouse.Tests.Features.ApiKeys;

public sealed class RevealApiKeyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Reveal(Guid id) => Route.To<RevealApiKey.Endpoint>(new { id });

    private async Task KeyAuthenticatesAsync(string? key) =>
        (await App.Client(apiKey: key).GetAsync(Route.To<Me.Endpoint>())).StatusCode.ShouldBe(HttpStatusCode.OK);

    private Task<string?> SealedKeyAsync(Guid id) =>
        App.ScalarAsync<string?>("select sealed_key from api_keys where id = @id", new { id });

    private Task SetSealedKeyAsync(Guid id, string sealedKey) =>
        App.ExecuteAsync("update api_keys set sealed_key = @sealedKey where id = @id", new { id, sealedKey });

    [Fact]
    public async Task Missing_credentials_are_401()
    {
        (await App.Client().PostAsync(Reveal(Guid.NewGuid()), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_key_cannot_reveal_keys()
    {
        var user = await TestUser.CreateAsync(App);
        var key = (await user.CreateApiKeyAsync()).GetProperty("key").GetString()!;
        var defaultKey = await user.DefaultApiKeyIdAsync();

        await (await App.Client(apiKey: key).PostAsync(Reveal(defaultKey), null)).ShouldBeRefusedForApiKeysAsync();

        (await App.ScalarAsync<int>("select count(*) from api_keys where user_id = @id", new { id = user.Id })).ShouldBe(2);
        (await App.ScalarAsync<bool>("select sealed_key is not null from api_keys where id = @id", new { id = defaultKey })).ShouldBeTrue();
    }

    [Fact]
    public async Task Another_users_key_is_404_and_stays_sealed()
    {
        var owner = await TestUser.CreateAsync(App);
        var other = await TestUser.CreateAsync(App);
        var created = await owner.CreateApiKeyAsync();
        var defaultKey = await owner.DefaultApiKeyIdAsync();

        await (await other.Client().PostAsync(Reveal(defaultKey), null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await SealedKeyAsync(defaultKey)).ShouldNotBeNull();
        await KeyAuthenticatesAsync(created.GetProperty("key").GetString());
    }

    [Fact]
    public async Task First_login_creates_a_default_key_that_is_revealed_once_then_410()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await user.DefaultApiKeyIdAsync();
        (await App.ScalarAsync<bool>("select sealed_key is not null and is_default from api_keys where id = @id", new { id })).ShouldBeTrue();

        var revealed = await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeOkJsonAsync();
        var key = revealed.GetProperty("key").GetString()!;

        (await App.ScalarAsync<bool>("select sealed_key is null from api_keys where id = @id", new { id })).ShouldBeTrue();
        await KeyAuthenticatesAsync(key);
        await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Concurrent_reveals_let_exactly_one_through()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await user.DefaultApiKeyIdAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => user.Client().PostAsync(Reveal(id), null)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Gone).ShouldBe(9);
        var revealed = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ShouldBeOkJsonAsync();
        await KeyAuthenticatesAsync(revealed.GetProperty("key").GetString());
        (await App.ScalarAsync<bool>("select sealed_key is null from api_keys where id = @id", new { id })).ShouldBeTrue();
    }

    [Fact]
    public async Task A_damaged_sealed_copy_is_503_and_stays_in_place()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await user.DefaultApiKeyIdAsync();
        var damaged = (await SealedKeyAsync(id))![..^8] + "AAAAAAAA";
        await SetSealedKeyAsync(id, damaged);

        var problem = await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);

        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing was erased");
        (await SealedKeyAsync(id)).ShouldBe(damaged);
        // Still kept, so still not "revealed already".
        await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_key_sealed_under_another_key_ring_is_kept_and_revealed_once_the_ring_holds_its_key()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await user.DefaultApiKeyIdAsync();
        var original = (await SealedKeyAsync(id))!;
        // A well-formed payload, sealed with the same purpose, by a key this instance's ring has never held.
        var foreign = new EphemeralDataProtectionProvider()
            .CreateProtector("Gatehouse.ApiKeys.DefaultKey.v1").Protect("gh_from-another-ring");
        await SetSealedKeyAsync(id, foreign);

        await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        (await SealedKeyAsync(id)).ShouldBe(foreign);

        await SetSealedKeyAsync(id, original);
        var revealed = await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeOkJsonAsync();
        await KeyAuthenticatesAsync(revealed.GetProperty("key").GetString());
        (await SealedKeyAsync(id)).ShouldBeNull();
    }

    [Fact]
    public async Task The_sealed_default_key_survives_a_restart_and_another_instance()
    {
        var user = await TestUser.CreateAsync(App);
        var id = await user.DefaultApiKeyIdAsync();
        await using var otherInstance = await ApiProcess.StartAsync(TestApp.Environment(App.Db, App.Auth0, App.Authentik));

        using var request = new HttpRequestMessage(HttpMethod.Post, Reveal(id));
        request.Headers.Authorization = new("Bearer", user.Token);
        var revealed = await (await otherInstance.Http.SendAsync(request)).ShouldBeOkJsonAsync();

        await KeyAuthenticatesAsync(revealed.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Revealing_a_key_records_one_event_without_its_secret()
    {
        var user = await TestUser.CreateAsync(App);
        var defaultKey = await App.ScalarAsync<Guid>("select id from api_keys where user_id = @id and is_default", new { id = user.Id });

        var revealed = await (await user.Client().PostAsync(Reveal(defaultKey), null)).ShouldBeOkJsonAsync();
        (await user.Client().PostAsync(Reveal(defaultKey), null)).StatusCode.ShouldBe(HttpStatusCode.Gone);

        var reveal = (await App.EventsAboutAsync(defaultKey)).ShouldHaveSingleItem();
        reveal.ShouldBeBy("api_key.revealed", user.Id, "api_key", defaultKey.ToString(), user.WorkspaceId);
        var everything = string.Join(" ", (await App.EventsByAsync(user.Id)).Select(e => e.Details));
        everything.ShouldNotContain(revealed.GetProperty("key").GetString()!);
    }
}
