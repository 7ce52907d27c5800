using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DevIdp.Tokens;

/// <summary>
/// Mints JWT access tokens the way Auth0 and Authentik do, and — for tests — the malformed and hostile
/// variants a verifier must refuse. Written by hand so that every header and claim is under control.
/// </summary>
public static class TokenMinter
{
    /// <summary>Standard claims for an access token: iss, aud, sub, iat, nbf, exp, plus <paramref name="extra"/>.</summary>
    public static JsonObject Claims(string issuer, string audience, string subject, TimeSpan? lifetime = null,
        IDictionary<string, JsonNode?>? extra = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = issuer, ["aud"] = audience, ["sub"] = subject,
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
        };
        if (extra is not null)
            foreach (var (name, value) in extra)
                claims[name] = value?.DeepClone();
        return claims;
    }

    public static string Mint(SigningKey key, JsonObject claims, JsonObject? extraHeader = null)
    {
        var header = new JsonObject { ["alg"] = key.Algorithm, ["typ"] = "JWT", ["kid"] = key.Kid };
        Merge(header, extraHeader);
        var signingInput = Encode(header) + "." + Encode(claims);
        return signingInput + "." + Base64Url.Encode(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>A token whose payload is exactly <paramref name="payloadJson"/>: for claims a JSON object cannot hold (a name twice, lone surrogates).</summary>
    public static string MintRaw(SigningKey key, string payloadJson, JsonObject? extraHeader = null)
    {
        var header = new JsonObject { ["alg"] = key.Algorithm, ["typ"] = "JWT", ["kid"] = key.Kid };
        Merge(header, extraHeader);
        var signingInput = Encode(header) + "." + Base64Url.Encode(Encoding.UTF8.GetBytes(payloadJson));
        return signingInput + "." + Base64Url.Encode(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>An HS256 token signed with <paramref name="secret"/> (the classic RSA-public-key-as-HMAC-secret attack).</summary>
    public static string MintHmac(byte[] secret, JsonObject claims, string kid)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = kid };
        var signingInput = Encode(header) + "." + Encode(claims);
        return signingInput + "." + Base64Url.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>An unsigned token, <c>alg: none</c>.</summary>
    public static string MintUnsigned(JsonObject claims, string kid)
    {
        var header = new JsonObject { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = kid };
        return Encode(header) + "." + Encode(claims) + ".";
    }

    public static string Encode(JsonNode node) => Base64Url.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public static string Jwks(IEnumerable<SigningKey> keys) =>
        new JsonObject { ["keys"] = new JsonArray(keys.Select(k => (JsonNode)k.ToPublicJwk()).ToArray()) }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static void Merge(JsonObject target, JsonObject? source)
    {
        if (source is null) return;
        foreach (var (name, value) in source)
            target[name] = value?.DeepClone();
    }
}
