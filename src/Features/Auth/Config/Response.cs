namespace Gatehouse.Features.Auth.Config;

internal sealed class Response
{
    public bool Enabled { get; init; }
    /// <summary>The first configured provider's domain (Auth0 first); empty when none.</summary>
    public string Domain { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string Audience { get; init; } = "";
    public IReadOnlyList<Provider> Providers { get; init; } = [];

    internal sealed class Provider
    {
        public string Name { get; init; } = "";
        public string Issuer { get; init; } = "";
        public string ClientId { get; init; } = "";
        public string Audience { get; init; } = "";
        public string AuthorizationEndpoint { get; init; } = "";
        public string EndSessionEndpoint { get; init; } = "";
    }

    internal static readonly Response Example = new()
    {
        Enabled = true,
        Domain = "example.eu.auth0.com",
        ClientId = "spa-client-id",
        Audience = "https://api.example.com/",
        Providers =
        [
            new()
            {
                Name = "auth0", Issuer = "https://example.eu.auth0.com/", ClientId = "spa-client-id", Audience = "https://api.example.com/",
                AuthorizationEndpoint = "https://example.eu.auth0.com/authorize", EndSessionEndpoint = "https://example.eu.auth0.com/v2/logout",
            },
        ],
    };
}
