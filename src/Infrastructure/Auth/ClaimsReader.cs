using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>Reads the claims Gatehouse uses, with the contract's fallbacks and limits.</summary>
public static class ClaimsReader
{
    public const int MaxEmail = 320;
    public const int MaxName = 200;

    public static CallerIdentity Identity(ProviderKind provider, JsonWebToken jwt, string? claimNamespace)
    {
        var email = Text(jwt, "email") ?? Namespaced(jwt, claimNamespace, "email");
        var verified = IsJsonTrue(jwt, "email_verified")
            || (Text(jwt, "email") is null && claimNamespace is not null && IsJsonTrue(jwt, claimNamespace + "email_verified"));
        var name = Text(jwt, "name") ?? Namespaced(jwt, claimNamespace, "name") ?? Text(jwt, "preferred_username");
        if (name is null && email is not null && email.IndexOf('@') > 0)
            name = email[..email.IndexOf('@')];

        var permissions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in jwt.Claims)
        {
            switch (claim.Type)
            {
                case "permissions" or "groups":
                    if (!string.IsNullOrWhiteSpace(claim.Value)) permissions.Add(claim.Value);
                    break;
                case "scope":
                    permissions.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
            }
        }

        return new CallerIdentity(
            provider == ProviderKind.Auth0 ? AuthMethod.Auth0 : AuthMethod.Authentik,
            permissions,
            Subject: jwt.Subject,
            Email: Truncate(email, MaxEmail),
            EmailVerified: email is not null && verified,
            Name: Truncate(name, MaxName));
    }

    private static string? Namespaced(JsonWebToken jwt, string? ns, string claim) =>
        ns is null ? null : Text(jwt, ns + claim);

    private static string? Text(JsonWebToken jwt, string claim) =>
        jwt.TryGetClaim(claim, out var c) && c.ValueType == ClaimValueTypes.String && !string.IsNullOrWhiteSpace(c.Value)
            ? c.Value.Trim()
            : null;

    /// <summary>Only JSON <c>true</c> counts: not the string "true".</summary>
    private static bool IsJsonTrue(JsonWebToken jwt, string claim) =>
        jwt.TryGetClaim(claim, out var c) && c.ValueType == ClaimValueTypes.Boolean && string.Equals(c.Value, "true", StringComparison.OrdinalIgnoreCase);

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];
}
