namespace DevIdp;

/// <summary>DEVIDP_* settings, with the defaults ./run and the Gatehouse console expect.</summary>
public sealed record DevIdpSettings(
    string Auth0Url,
    string AuthentikUrl,
    string AuthentikSlug,
    string ClientId,
    string Audience,
    string ClaimNamespace,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    string KeyFile,
    string EncryptionKeyFile)
{
    // Swagger UI on the API's default port and the console on :5173 (registered ahead of it).
    private const string DefaultRedirectUris =
        "http://127.0.0.1:5080/swagger/oauth2-redirect.html,http://127.0.0.1:5173/,http://127.0.0.1:5173/callback,http://127.0.0.1:5173/silent-renew";
    private const string DefaultPostLogoutRedirectUris = "http://127.0.0.1:5080/swagger,http://127.0.0.1:5173/";

    public static DevIdpSettings Read(IConfiguration config)
    {
        var keyFile = Value(config, "DEVIDP_KEY_FILE") ?? ".data/devidp-key.pem";
        return new DevIdpSettings(
            Url(config, "DEVIDP_AUTH0_URL", "http://127.0.0.1:5081"),
            Url(config, "DEVIDP_AUTHENTIK_URL", "http://127.0.0.1:5082"),
            Value(config, "DEVIDP_AUTHENTIK_SLUG") ?? "gatehouse",
            Value(config, "DEVIDP_CLIENT_ID") ?? "gatehouse-dev-spa",
            Value(config, "DEVIDP_AUDIENCE") ?? "https://gatehouse.local/api",
            Value(config, "DEVIDP_CLAIM_NAMESPACE") ?? "https://gatehouse.local/",
            List(Value(config, "DEVIDP_REDIRECT_URIS") ?? DefaultRedirectUris),
            List(Value(config, "DEVIDP_POST_LOGOUT_REDIRECT_URIS") ?? DefaultPostLogoutRedirectUris),
            keyFile,
            Value(config, "DEVIDP_ENCRYPTION_KEY_FILE")
                ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keyFile))!, "devidp-encryption-key.pem"));
    }

    /// <summary>Browsers call discovery, JWKS and the token endpoint from the pages they return to.</summary>
    public IReadOnlyList<string> CorsOrigins =>
        RedirectUris.Concat(PostLogoutRedirectUris).Select(u => new Uri(u).GetLeftPart(UriPartial.Authority)).Distinct().ToList();

    private static string? Value(IConfiguration config, string name) =>
        string.IsNullOrWhiteSpace(config[name]) ? null : config[name]!.Trim();

    private static string Url(IConfiguration config, string name, string fallback) => (Value(config, name) ?? fallback).TrimEnd('/');

    private static IReadOnlyList<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
