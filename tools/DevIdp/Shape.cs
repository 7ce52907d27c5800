using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DevIdp;

/// <summary>
/// Where one issuer serves its endpoints and how its tokens look: Auth0 (permissions array, profile under a claim
/// namespace, aud = the API) or Authentik (email, email_verified, name, groups at the top, aud = the client id).
/// </summary>
public sealed record Shape(
    string Name,
    string BaseUrl,
    string Issuer,
    string AuthorizationPath,
    string TokenPath,
    string EndSessionPath,
    string JwksPath,
    string DiscoveryPath,
    bool IsAuth0,
    string ClientId,
    string ApiAudience,
    string ClaimNamespace)
{
    public static Shape Auth0(string baseUrl, string clientId, string audience, string claimNamespace) => new(
        "Auth0", baseUrl, baseUrl + "/", "/authorize", "/oauth/token", "/v2/logout", "/.well-known/jwks.json",
        "/.well-known/openid-configuration", true, clientId, audience, claimNamespace);

    public static Shape Authentik(string baseUrl, string slug, string clientId) => new(
        "Authentik", baseUrl, $"{baseUrl}/application/o/{slug}/", "/application/o/authorize/", "/application/o/token/",
        $"/application/o/{slug}/end-session/", $"/application/o/{slug}/jwks/",
        $"/application/o/{slug}/.well-known/openid-configuration", false, clientId, clientId, "");

    /// <summary>Auth0 puts the API identifier in aud; Authentik the client id.</summary>
    public string Audience(string? requestedAudience) => IsAuth0 ? requestedAudience ?? ApiAudience : ClientId;

    /// <summary>The claims of <paramref name="user"/> as this provider puts them in an access token (for the JSON minting).</summary>
    public Dictionary<string, JsonNode?> AccessTokenClaims(DevUser user, string scope)
    {
        var claims = new Dictionary<string, JsonNode?> { ["scope"] = scope };
        var prefix = IsAuth0 ? ClaimNamespace : "";
        if (user.Email is not null)
        {
            claims[prefix + "email"] = user.Email;
            claims[prefix + "email_verified"] = user.EmailVerified;
        }
        if (user.Name is not null) claims[prefix + "name"] = user.Name;
        claims[IsAuth0 ? "permissions" : "groups"] = new JsonArray(user.Permissions.Select(p => (JsonNode)p).ToArray());
        return claims;
    }

    /// <summary>The identity OpenIddict turns into tokens, each claim sent to the tokens the real provider puts it in.</summary>
    public ClaimsIdentity Identity(DevUser user, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("devidp", Claims.Name, Claims.Role);
        var destinations = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string type, object value, params string[] to)
        {
            switch (value)
            {
                case string s: identity.AddClaim(type, s); break;
                case bool b: identity.AddClaim(type, b); break;
                // A JSON array stays an array in the JWT (even of one or no item), as Auth0's permissions and Authentik's groups are.
                case JsonElement j: identity.AddClaim(new Claim(type, j.GetRawText(), "JSON_ARRAY")); break;
            }
            destinations[type] = to;
        }

        string[] both = [Destinations.AccessToken, Destinations.IdentityToken];
        string[] idToken = [Destinations.IdentityToken];
        Add(Claims.Subject, user.Subject, both);
        var list = JsonSerializer.SerializeToElement(user.Permissions);
        if (IsAuth0)
        {
            // Auth0 access tokens carry the profile only through an Action, under a namespace; the ID token has the standard claims.
            if (user.Email is not null)
            {
                Add(Claims.Email, user.Email, idToken);
                Add(Claims.EmailVerified, user.EmailVerified, idToken);
                Add(ClaimNamespace + "email", user.Email, Destinations.AccessToken);
                Add(ClaimNamespace + "email_verified", user.EmailVerified, Destinations.AccessToken);
            }
            if (user.Name is not null)
            {
                Add(Claims.Name, user.Name, idToken);
                Add(ClaimNamespace + "name", user.Name, Destinations.AccessToken);
            }
            Add("permissions", list, Destinations.AccessToken);
        }
        else
        {
            if (user.Email is not null)
            {
                Add(Claims.Email, user.Email, both);
                Add(Claims.EmailVerified, user.EmailVerified, both);
            }
            if (user.Name is not null) Add(Claims.Name, user.Name, both);
            Add(Claims.PreferredUsername, user.Email ?? user.Subject, both);
            Add("groups", list, both);
        }

        identity.SetScopes(scopes);
        identity.SetResources(Audience(null));
        identity.SetDestinations(claim => destinations.TryGetValue(claim.Type, out var to) ? to : []);
        return identity;
    }
}
