using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;
using ListApiKeys = Gatehouse.Features.ApiKeys.ListApiKeys;

namespace Gatehouse.Tests.Features.ApiKeys;

/// <summary>API-key set-up that tests of other slices need too (a key to try a refused route with).</summary>
public static class ApiKeyCalls
{
    /// <summary>Creates an API key with the user's token; the 201 body holds the secret.</summary>
    public static async Task<JsonElement> CreateApiKeyAsync(this TestUser user, object? body = null) =>
        await (await user.PostAsync(Route.To<CreateApiKey.Endpoint>(), body ?? new { name = "ci" })).ShouldBeOkJsonAsync(HttpStatusCode.Created);

    /// <summary>A client that authenticates with a new API key of the user's: a leaked key, to try refused routes with.</summary>
    public static async Task<HttpClient> ApiKeyClientAsync(this TestUser user) =>
        user.App.Client(apiKey: (await user.CreateApiKeyAsync(new { name = "leaked" })).GetProperty("key").GetString());

    /// <summary>The key that first login created, sealed until its one reveal.</summary>
    public static async Task<Guid> DefaultApiKeyIdAsync(this TestUser user) =>
        (await (await user.Client().GetAsync(Route.To<ListApiKeys.Endpoint>())).ShouldBeOkJsonAsync()).EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "Default key").GetProperty("id").GetGuid();
}
