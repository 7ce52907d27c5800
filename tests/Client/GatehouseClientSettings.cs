using System.Text.Json.Serialization;

namespace Gatehouse.Client;

public partial class GatehouseClient
{
    // A PATCH must not send "field": null for what the caller left unset; clearing avatar_url with an
    // explicit null is therefore done with a raw request (see GeneratedClientTests).
    static partial void UpdateJsonSerializerSettings(System.Text.Json.JsonSerializerOptions settings) =>
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
}
