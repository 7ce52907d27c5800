using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Infrastructure.Auth.Tokens;

/// <summary>Reads the claims Gatehouse uses, with the contract's fallbacks and limits.</summary>
public static class ClaimsReader
{
    public const int MaxEmail = 320;
    public const int MaxName = 200;

    public static CallerIdentity Identity(ProviderKind provider, JsonWebToken jwt, string? claimNamespace)
    {
        var rawEmail = Text(jwt, "email") ?? Namespaced(jwt, claimNamespace, "email");
        var verified = IsJsonTrue(jwt, "email_verified")
            || (Text(jwt, "email") is null && claimNamespace is not null && IsJsonTrue(jwt, claimNamespace + "email_verified"));
        var email = Clean(rawEmail, MaxEmail);
        var name = Clean(Text(jwt, "name"), MaxName) ?? Clean(Namespaced(jwt, claimNamespace, "name"), MaxName)
            ?? Clean(Text(jwt, "preferred_username"), MaxName);
        if (name is null && email is not null && email.IndexOf('@') > 0)
            name = Truncate(email[..email.IndexOf('@')], MaxName);

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
            Email: email,
            // An address we had to change (cleaned or cut) is not the one the provider verified: never link by it.
            EmailVerified: email is not null && email == rawEmail && verified,
            Name: name);
    }

    /// <summary>
    /// Cuts <paramref name="value"/> to at most <paramref name="max"/> UTF-16 units on a text-element boundary, so
    /// that no surrogate pair or combining sequence is split (half a pair cannot be encoded for PostgreSQL).
    /// </summary>
    public static string Truncate(string value, int max)
    {
        if (value.Length <= max)
            return value;
        var length = 0;
        while (length < value.Length)
        {
            var next = StringInfo.GetNextTextElementLength(value.AsSpan(length));
            if (length + next > max) break;
            length += next;
        }
        return value[..length];
    }

    private static string? Namespaced(JsonWebToken jwt, string? ns, string claim) =>
        ns is null ? null : Text(jwt, ns + claim);

    private static string? Text(JsonWebToken jwt, string claim) =>
        jwt.TryGetClaim(claim, out var c) && c.ValueType == ClaimValueTypes.String && !string.IsNullOrWhiteSpace(c.Value)
            ? c.Value.Trim()
            : null;

    /// <summary>The value as it can be stored: without U+0000 and unpaired surrogates, cut to the column; null when nothing is left.</summary>
    private static string? Clean(string? value, int max)
    {
        if (value is null)
            return null;
        var storable = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                storable.Append(value[i]).Append(value[++i]);
            else if (value[i] != '\0' && !char.IsSurrogate(value[i]))
                storable.Append(value[i]);
        }
        var text = storable.ToString().Trim();
        return text.Length == 0 ? null : Truncate(text, max);
    }

    /// <summary>Only JSON <c>true</c> counts: not the string "true".</summary>
    private static bool IsJsonTrue(JsonWebToken jwt, string claim) =>
        jwt.TryGetClaim(claim, out var c) && c.ValueType == ClaimValueTypes.Boolean && string.Equals(c.Value, "true", StringComparison.OrdinalIgnoreCase);
}
