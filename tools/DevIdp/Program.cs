// A local OpenID Connect provider for development, built on OpenIddict: two issuers in one process, one shaped
// like an Auth0 tenant (:5081) and one like an Authentik application (:5082), so both of Gatehouse's provider
// paths run for real. Authorization code + PKCE, refresh tokens, end-session, discovery, JWKS, signed JWT access
// tokens, a login page without passwords and a JSON minting shortcut for curl. Development only: anyone who can
// reach it can log in as anyone, so it refuses to start in any other environment.
using DevIdp;

var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
    ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
if (!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine(
        $"DevIdp refuses to start: it lets anyone log in as anyone, so it runs only with ASPNETCORE_ENVIRONMENT=Development (it is {environment}).");
    return 1;
}

var settings = DevIdpSettings.Read(new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build());
var apps = new[]
{
    ProviderApp.Build(args, settings, Shape.Auth0(settings.Auth0Url, settings.ClientId, settings.Audience, settings.ClaimNamespace)),
    ProviderApp.Build(args, settings, Shape.Authentik(settings.AuthentikUrl, settings.AuthentikSlug, settings.ClientId)),
};
foreach (var app in apps)
    await ProviderApp.SeedClientAsync(app, settings);
await Task.WhenAll(apps.Select(a => a.RunAsync()));
return 0;
