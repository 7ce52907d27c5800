// A local stand-in for an Auth0 tenant, for ./run and for humans: discovery, JWKS, token minting and
// logout at Auth0's paths. Development only: anyone who can reach it can mint tokens.
using System.Text.Json.Nodes;
using DevIdp.Tokens;

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

var issuer = (app.Configuration["DEVIDP_ISSUER"] ?? "http://127.0.0.1:5081/").TrimEnd('/') + "/";
var audience = app.Configuration["DEVIDP_AUDIENCE"] ?? "https://gatehouse.local/api";
var key = SigningKey.LoadOrCreateRsa(app.Configuration["DEVIDP_KEY_FILE"] ?? ".data/devidp-key.pem", "devidp-1");

app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
{
    ["issuer"] = issuer,
    ["jwks_uri"] = issuer + ".well-known/jwks.json",
    ["token_endpoint"] = issuer + "oauth/token",
    ["authorization_endpoint"] = issuer + "authorize",
    ["end_session_endpoint"] = issuer + "v2/logout",
    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
}));

app.MapGet("/.well-known/jwks.json", (HttpContext http) =>
{
    http.Response.Headers.CacheControl = "public, max-age=600";
    return Results.Text(TokenMinter.Jwks([key]), "application/json");
});

// POST /oauth/token {"sub", "email", "email_verified", "name", "permissions": [...], "expires_in"} → an RS256 access token.
app.MapPost("/oauth/token", async (HttpRequest request) =>
{
    var body = request.HasJsonContentType()
        ? await JsonNode.ParseAsync(request.Body) as JsonObject ?? []
        : new JsonObject(request.HasFormContentType
            ? (await request.ReadFormAsync()).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value.ToString())))
            : []);
    var subject = body["sub"]?.GetValue<string>() ?? "devidp|alice";
    var lifetime = TimeSpan.FromSeconds(body["expires_in"]?.GetValue<int>() ?? 3600);
    var claims = TokenMinter.Claims(issuer, body["audience"]?.GetValue<string>() ?? audience, subject, lifetime,
        new Dictionary<string, JsonNode?>
        {
            ["email"] = body["email"]?.DeepClone() ?? "alice@example.com",
            ["email_verified"] = body["email_verified"]?.DeepClone() ?? true,
            ["name"] = body["name"]?.DeepClone() ?? "Alice Developer",
            ["permissions"] = body["permissions"]?.DeepClone() ?? new JsonArray(),
            ["scope"] = body["scope"]?.DeepClone() ?? "openid profile email",
        });
    return Results.Json(new Dictionary<string, object>
    {
        ["access_token"] = TokenMinter.Mint(key, claims),
        ["token_type"] = "Bearer",
        ["expires_in"] = (int)lifetime.TotalSeconds,
    });
});

app.MapGet("/v2/logout", (string? returnTo) =>
    returnTo is null ? Results.Text("Logged out.") : Results.Redirect(returnTo));

app.Run();
