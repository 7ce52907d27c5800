namespace Gatehouse.Infrastructure.Auth;

public enum ProviderKind { Auth0, Authentik }

/// <summary>One OpenID Connect provider whose access tokens Gatehouse accepts.</summary>
public sealed record ProviderSettings(
    ProviderKind Kind,
    string Issuer,
    string Audience,
    string ClientId,
    Uri JwksUri,
    IReadOnlyList<string> Algorithms,
    string AuthorizationEndpoint,
    string EndSessionEndpoint,
    string Domain)
{
    public string Name => Kind == ProviderKind.Auth0 ? "auth0" : "authentik";
}

/// <summary>When a new provider identity may be linked to an existing user (<c>ACCOUNT_LINKING</c>).</summary>
public enum AccountLinking { VerifiedEmail, Off }

/// <summary>Authentication configuration, read once from the environment and validated at start-up.</summary>
public sealed record AuthSettings(
    bool Enabled,
    string? FirstSuperuser,
    IReadOnlyList<ProviderSettings> Providers,
    TimeSpan ClockSkew,
    string AdminPermission,
    string? ClaimNamespace,
    string? Auth0LogoutRedirectUrl,
    IReadOnlyList<string> LogoutAllowlist,
    AccountLinking AccountLinking)
{
    private static readonly string[] SupportedAlgorithms = ["RS256", "ES256"];

    public ProviderSettings? Find(ProviderKind kind) => Providers.FirstOrDefault(p => p.Kind == kind);

    public static AuthSettings Read(IConfiguration config, IHostEnvironment environment)
    {
        var enabled = ReadBool(config, "ENABLE_AUTH", true);
        var allowHttp = ReadBool(config, "AUTH_ALLOW_HTTP", false);
        // http:// lets anyone on the path swap the signing keys: a development and test convenience only.
        if (allowHttp && environment.IsProduction())
            throw new StartupException("AUTH_ALLOW_HTTP=true is refused when ASPNETCORE_ENVIRONMENT=Production: tokens and keys must come over https.");
        var skewText = config["AUTH_CLOCK_SKEW_SECONDS"];
        var skew = 30;
        if (!string.IsNullOrWhiteSpace(skewText) && (!int.TryParse(skewText, out skew) || skew is < 0 or > 300))
            throw new StartupException("AUTH_CLOCK_SKEW_SECONDS must be a whole number of seconds from 0 to 300.");

        var providers = new List<ProviderSettings>();
        if (ReadAuth0(config, allowHttp) is { } auth0) providers.Add(auth0);
        if (ReadAuthentik(config, allowHttp) is { } authentik) providers.Add(authentik);
        if (providers.Count == 2 && providers[0].Issuer == providers[1].Issuer)
            throw new StartupException("AUTH0_ISSUER and AUTHENTIK_ISSUER name the same issuer; a token's iss must pick one provider.");

        var firstSuperuser = Clean(config["FIRST_SUPERUSER"]);
        if (!enabled)
        {
            // System mode is no authentication and full admin: only a developer's own machine may run that way.
            if (!environment.IsDevelopment())
                throw new StartupException(
                    $"ENABLE_AUTH=false (system mode) is refused unless ASPNETCORE_ENVIRONMENT=Development (it is {environment.EnvironmentName}).");
            if (firstSuperuser is null || !firstSuperuser.Contains('@'))
                throw new StartupException("ENABLE_AUTH=false needs FIRST_SUPERUSER: the email of the user every request acts as.");
        }
        else if (providers.Count == 0)
        {
            throw new StartupException(
                "ENABLE_AUTH=true but no identity provider is configured: set AUTH0_DOMAIN and AUTH0_AUDIENCE, " +
                "and/or AUTHENTIK_BASE_URL, AUTHENTIK_APP_SLUG and AUTHENTIK_CLIENT_ID (or ENABLE_AUTH=false for local system mode).");
        }

        return new AuthSettings(
            enabled,
            firstSuperuser,
            providers,
            TimeSpan.FromSeconds(skew),
            Clean(config["ADMIN_PERMISSION"]) ?? "admin:access",
            Clean(config["AUTH0_CLAIM_NAMESPACE"]),
            Clean(config["AUTH0_LOGOUT_REDIRECT_URL"]),
            List(config["LOGOUT_REDIRECT_ALLOWLIST"]),
            ReadAccountLinking(config));
    }

    private static AccountLinking ReadAccountLinking(IConfiguration config) => Clean(config["ACCOUNT_LINKING"])?.ToLowerInvariant() switch
    {
        null or "verified_email" => AccountLinking.VerifiedEmail,
        "off" => AccountLinking.Off,
        _ => throw new StartupException("ACCOUNT_LINKING must be verified_email (the default) or off."),
    };

    private static ProviderSettings? ReadAuth0(IConfiguration config, bool allowHttp)
    {
        var domain = Clean(config["AUTH0_DOMAIN"]);
        var issuer = Clean(config["AUTH0_ISSUER"]);
        if (domain is null && issuer is null)
            return null;
        issuer = NormaliseIssuer(issuer ?? $"https://{domain}/", "AUTH0_ISSUER", allowHttp);
        domain ??= new Uri(issuer).Authority;
        var audience = Clean(config["AUTH0_AUDIENCE"])
            ?? throw new StartupException("AUTH0_AUDIENCE is missing: the API identifier that Auth0 puts in the token's aud.");
        return new ProviderSettings(
            ProviderKind.Auth0,
            issuer,
            audience,
            Clean(config["AUTH0_CLIENT_ID"]) ?? "",
            HttpUri(Clean(config["AUTH0_JWKS_URL"]) ?? issuer + ".well-known/jwks.json", "AUTH0_JWKS_URL", allowHttp),
            Algorithms(config, "AUTH0_ALGORITHMS"),
            issuer + "authorize",
            issuer + "v2/logout",
            domain);
    }

    private static ProviderSettings? ReadAuthentik(IConfiguration config, bool allowHttp)
    {
        var baseUrl = Clean(config["AUTHENTIK_BASE_URL"])?.TrimEnd('/');
        var issuer = Clean(config["AUTHENTIK_ISSUER"]);
        if (baseUrl is null && issuer is null)
            return null;
        var slug = Clean(config["AUTHENTIK_APP_SLUG"]);
        if (issuer is null && slug is null)
            throw new StartupException("AUTHENTIK_APP_SLUG is missing: the slug of the Authentik application (or set AUTHENTIK_ISSUER).");
        issuer = NormaliseIssuer(issuer ?? $"{baseUrl}/application/o/{slug}/", "AUTHENTIK_ISSUER", allowHttp);
        // The issuer is {base}/application/o/{slug}/: the base is what precedes /application/.
        baseUrl ??= issuer[..Math.Max(issuer.IndexOf("/application/", StringComparison.Ordinal), issuer.IndexOf("//", StringComparison.Ordinal) + 2)].TrimEnd('/');
        var clientId = Clean(config["AUTHENTIK_CLIENT_ID"]);
        var audience = Clean(config["AUTHENTIK_AUDIENCE"]) ?? clientId
            ?? throw new StartupException("AUTHENTIK_CLIENT_ID is missing: Authentik puts the client id in the token's aud (or set AUTHENTIK_AUDIENCE).");
        return new ProviderSettings(
            ProviderKind.Authentik,
            issuer,
            audience,
            clientId ?? "",
            HttpUri(Clean(config["AUTHENTIK_JWKS_URL"]) ?? issuer + "jwks/", "AUTHENTIK_JWKS_URL", allowHttp),
            Algorithms(config, "AUTHENTIK_ALGORITHMS"),
            baseUrl + "/application/o/authorize/",
            issuer + "end-session/",
            new Uri(issuer).Authority);
    }

    /// <summary>Issuers compare exactly; normalising the configured one (scheme and host lower-case, one trailing slash) makes that fair.</summary>
    private static string NormaliseIssuer(string issuer, string variable, bool allowHttp)
    {
        var uri = HttpUri(issuer, variable, allowHttp);
        var text = uri.GetLeftPart(UriPartial.Path);
        return text.EndsWith('/') ? text : text + "/";
    }

    private static Uri HttpUri(string value, string variable, bool allowHttp)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new StartupException($"{variable} must be an absolute https:// URL.");
        if (uri.Scheme == "http" && !allowHttp)
            throw new StartupException($"{variable} is http://; tokens and keys must come over https (AUTH_ALLOW_HTTP=true allows http for local development and tests only).");
        return uri;
    }

    private static IReadOnlyList<string> Algorithms(IConfiguration config, string variable)
    {
        var algorithms = List(config[variable]);
        if (algorithms.Count == 0)
            return ["RS256"];
        var unsupported = algorithms.Where(a => !SupportedAlgorithms.Contains(a, StringComparer.Ordinal)).ToList();
        if (unsupported.Count > 0)
            throw new StartupException($"{variable} may list only {string.Join(", ", SupportedAlgorithms)}; not {string.Join(", ", unsupported)}.");
        return algorithms;
    }

    private static bool ReadBool(IConfiguration config, string variable, bool fallback)
    {
        var value = Clean(config[variable]);
        if (value is null) return fallback;
        return bool.TryParse(value, out var parsed) ? parsed : throw new StartupException($"{variable} must be true or false.");
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static IReadOnlyList<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
