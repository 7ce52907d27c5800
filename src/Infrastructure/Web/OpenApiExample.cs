using System.Text.Json;
using Newtonsoft.Json.Linq;

namespace Gatehouse.Infrastructure.Web;

/// <summary>
/// NSwag writes examples with Newtonsoft.Json, which knows neither System.Text.Json's JsonElement
/// nor its enum names. Serialising the typed example with the API's own options first makes the
/// document show exactly what goes over the wire.
/// </summary>
public static class OpenApiExample
{
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static JToken Of<T>(T value) => JToken.Parse(JsonSerializer.Serialize(value, Wire));
}
