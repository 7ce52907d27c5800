using System.Security.Claims;
using System.Text.Json.Nodes;
using DevIdp.Tokens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DevIdp;

/// <summary>The in-memory store of OpenIddict's applications (the one seeded client).</summary>
public sealed class DevIdpDb(DbContextOptions<DevIdpDb> options) : DbContext(options);

/// <summary>One issuer: an OpenIddict server on its own Kestrel listener.</summary>
public static class ProviderApp
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static WebApplication Build(string[] args, DevIdpSettings settings, Shape shape)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (!builder.Environment.IsDevelopment())
            throw new InvalidOperationException("DevIdp runs only in Development.");
        builder.WebHost.UseUrls(shape.BaseUrl);

        // Both issuers sign with the same persistent key, so tokens stay valid across restarts; the encryption key
        // (authorization codes and refresh tokens are encrypted) is kept too, so a refresh token survives a restart.
        var signing = SigningKey.LoadOrCreateRsa(settings.KeyFile, "devidp-1");
        var encryption = SigningKey.LoadOrCreateRsa(settings.EncryptionKeyFile, "devidp-enc-1");

        builder.Services.AddDbContext<DevIdpDb>(o =>
        {
            o.UseInMemoryDatabase("devidp-" + shape.Name);
            o.UseOpenIddict();
        });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<DevIdpDb>())
            .AddServer(o =>
            {
                o.SetIssuer(new Uri(shape.Issuer));
                o.SetAuthorizationEndpointUris(shape.AuthorizationPath)
                    .SetTokenEndpointUris(shape.TokenPath)
                    .SetEndSessionEndpointUris(shape.EndSessionPath)
                    .SetJsonWebKeySetEndpointUris(shape.JwksPath)
                    .SetConfigurationEndpointUris(shape.DiscoveryPath);
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange().AllowRefreshTokenFlow();
                // PKCE "plain" sends the verifier in the clear: only S256.
                o.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
                o.AddSigningKey(new RsaSecurityKey(signing.Rsa!) { KeyId = signing.Kid });
                o.AddEncryptionKey(new RsaSecurityKey(encryption.Rsa!) { KeyId = encryption.Kid });
                // Gatehouse reads the access token: signed, not encrypted, as Auth0 and Authentik issue it.
                o.DisableAccessTokenEncryption();
                // Nothing to revoke in a development tool; stateless codes and refresh tokens outlive a restart.
                o.DisableTokenStorage();
                o.DisableAuthorizationStorage();
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });
        builder.Services.AddCors(o => o.AddDefaultPolicy(p => p
            .WithOrigins(settings.CorsOrigins.ToArray()).AllowAnyHeader().WithMethods("GET", "POST")));

        var app = builder.Build();
        app.UseCors();
        app.Use(async (http, next) =>
        {
            if (HttpMethods.IsPost(http.Request.Method) && Is(http, shape.TokenPath) && http.Request.HasJsonContentType())
            {
                await MintAsync(http, shape, signing);
                return;
            }
            if (shape.IsAuth0 && Is(http, shape.EndSessionPath))
                UseAuth0LogoutParameters(http.Request);
            if (Is(http, shape.AuthorizationPath) && !TakeAudienceParameter(http.Request, shape))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsync("Unknown audience: this provider issues tokens for its API audience only.");
                return;
            }
            await next();
        });
        // OpenIddict answers its endpoints here, after the JSON minting above had its chance.
        app.UseAuthentication();

        app.MapMethods(shape.AuthorizationPath, ["GET", "POST"], (HttpContext http) => Authorize(http, shape));
        app.MapPost(shape.TokenPath, async (HttpContext http) =>
        {
            // Only the code and refresh_token grants are enabled: both carry the principal signed in at /authorize.
            var result = await http.AuthenticateAsync(Scheme);
            return result.Principal is { } principal
                ? Results.SignIn(principal, null, Scheme)
                : Results.Forbid(Error(Errors.InvalidGrant, "The code or refresh token is no longer valid."), [Scheme]);
        });
        app.MapMethods(shape.EndSessionPath, ["GET", "POST"], (HttpContext http) =>
            http.GetOpenIddictServerRequest()?.PostLogoutRedirectUri is null
                ? Results.Content("<!doctype html><title>Logged out</title><p>Logged out of the development provider.</p>", "text/html")
                // OpenIddict has checked the URI against the client's registered post-logout URIs and redirects to it.
                : Results.SignOut(null, [Scheme]));
        app.MapGet("/", () => Results.Redirect(shape.DiscoveryPath));
        return app;
    }

    public static async Task SeedClientAsync(WebApplication app, DevIdpSettings settings)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = settings.ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "Gatehouse (development)",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email, Permissions.Scopes.Profile,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in settings.RedirectUris) client.RedirectUris.Add(new Uri(uri));
        foreach (var uri in settings.PostLogoutRedirectUris) client.PostLogoutRedirectUris.Add(new Uri(uri));
        await manager.CreateAsync(client);
    }

    private static IResult Authorize(HttpContext http, Shape shape)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not handle the authorization request.");
        var user = LoginPage.ReadChoice(request, out var problem);
        if (user is null)
        {
            // No session is kept: a silent request cannot be answered without the page.
            if (problem is null && request.HasPromptValue(PromptValues.None))
                return Results.Forbid(Error(Errors.LoginRequired, "Log in on the development provider's page."), [Scheme]);
            return Results.Content(LoginPage.Render(shape, shape.AuthorizationPath, request, problem), "text/html");
        }
        return Results.SignIn(new ClaimsPrincipal(shape.Identity(user, request.GetScopes())), null, Scheme);
    }

    /// <summary>
    /// POST {token endpoint} with a JSON body {"sub", "email", "email_verified", "name", "permissions", "audience",
    /// "expires_in"} → an access token for curl and scripts. A seeded subject gets its own profile; any other subject
    /// only what the body gives (no email or name unless given). An empty body is Alice.
    /// </summary>
    private static async Task MintAsync(HttpContext http, Shape shape, SigningKey key)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            await Results.BadRequest(new { error = "invalid_request", error_description = "The body must be a JSON object." }).ExecuteAsync(http);
            return;
        }

        string? Text(string name) => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? DevUser.Clean(s) : null;
        var subject = Text("sub") ?? DevUser.Seeded[0].Subject;
        var seeded = DevUser.FindSeeded(subject);
        var permissions = body["permissions"] is JsonArray array
            ? array.Select(p => p is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList()
            : seeded?.Permissions ?? [];
        var user = new DevUser(
            subject,
            Text("email") ?? seeded?.Email,
            Text("name") ?? seeded?.Name,
            body["email_verified"] is JsonValue ev && ev.TryGetValue<bool>(out var verified) ? verified : seeded?.EmailVerified ?? true,
            permissions);
        var lifetime = TimeSpan.FromSeconds(body["expires_in"] is JsonValue e && e.TryGetValue<int>(out var seconds) && seconds > 0 ? seconds : 3600);
        var claims = TokenMinter.Claims(shape.Issuer, shape.Audience(Text("audience")), subject, lifetime,
            shape.AccessTokenClaims(user, Text("scope") ?? "openid profile email"));
        await Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = TokenMinter.Mint(key, claims),
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
        }).ExecuteAsync(http);
    }

    /// <summary>Auth0's /v2/logout takes returnTo; OpenIddict's end-session endpoint reads post_logout_redirect_uri.</summary>
    private static void UseAuth0LogoutParameters(HttpRequest request)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        if (!query.Remove("returnTo", out var returnTo)) return;
        query[Parameters.PostLogoutRedirectUri] = returnTo;
        request.QueryString = QueryString.Create(query);
    }

    /// <summary>
    /// Auth0 names the API in ?audience= (Swagger UI sends it to every scheme); OpenIddict refuses that parameter
    /// at /authorize, so it is taken out here. Auth0-shaped: only the API audience is known, as Auth0 refuses an
    /// unknown one; Authentik-shaped: ignored, as Authentik ignores it (its tokens are for the client).
    /// </summary>
    private static bool TakeAudienceParameter(HttpRequest request, Shape shape)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        if (!query.Remove("audience", out var audience)) return true;
        if (shape.IsAuth0 && audience.ToString() != shape.ApiAudience) return false;
        request.QueryString = QueryString.Create(query);
        return true;
    }

    private static bool Is(HttpContext http, string path) =>
        string.Equals(http.Request.Path.Value?.TrimEnd('/'), path.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static AuthenticationProperties Error(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}
