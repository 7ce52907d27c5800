using System.Net;
using System.Text.Json;
using Gatehouse.Tests.Support;
using CreateApiKey = Gatehouse.Features.ApiKeys.CreateApiKey;

namespace Gatehouse.Tests.Features.Audit;

/// <summary>Set-up that both audit listings' tests need.</summary>
public static class AuditCalls
{
    public static IEnumerable<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray();

    /// <summary>An owner with three keys created in their workspace: four events there, newest first.</summary>
    public static async Task<(TestUser Owner, List<Guid> Keys)> BusyWorkspaceAsync(this TestApp app)
    {
        var owner = await TestUser.CreateAsync(app);
        var keys = new List<Guid>();
        foreach (var name in new[] { "one", "two", "three" })
            keys.Add((await (await owner.PostAsync(Route.To<CreateApiKey.Endpoint>(), new { name })).ShouldBeOkJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid());
        return (owner, keys);
    }
}
