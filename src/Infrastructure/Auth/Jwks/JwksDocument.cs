using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Infrastructure.Auth.Jwks;

/// <summary>
/// A JWKS response split into its entries, each parsed on its own: an entry that cannot be read (not an
/// object, a field of the wrong type) spoils only itself, never the keys beside it.
/// </summary>
public sealed class JwksDocument
{
    /// <summary>One entry of "keys": its JWK, or why it could not be read. Kid is the provider's, untrusted.</summary>
    public sealed record Entry(int Index, string? Kid, JsonWebKey? Key, string? Problem);

    private JwksDocument(IReadOnlyList<Entry> entries) => Entries = entries;

    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Null unless <paramref name="json"/> is a JSON object with a "keys" array: anything else is a failed fetch.</summary>
    public static JwksDocument? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys)
                || keys.ValueKind != JsonValueKind.Array)
                return null;
            return new JwksDocument(keys.EnumerateArray().Select(Read).ToList());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static Entry Read(JsonElement element, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return new Entry(index, null, null, $"a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not an object");
        string? kid = null;
        try
        {
            if (element.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String)
                kid = k.GetString();
            return new Entry(index, kid, new JsonWebKey(element.GetRawText()), null);
        }
        catch (Exception)
        {
            // The library's messages may quote the entry: say what is wrong in our own words.
            return new Entry(index, kid, null, "not a JSON Web Key (a member of the wrong type)");
        }
    }

    /// <summary>A value from the provider, fit for a log line: at most 64 characters, printable ASCII.</summary>
    public static string ForLog(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "none";
        var text = new StringBuilder(Math.Min(value.Length, 65));
        foreach (var c in value.Length > 64 ? value[..64] : value)
            text.Append(c is >= ' ' and <= '~' ? c : '?');
        return value.Length > 64 ? text.Append('…').ToString() : text.ToString();
    }
}
