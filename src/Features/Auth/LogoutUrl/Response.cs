namespace Gatehouse.Features.Auth.LogoutUrl;

internal sealed class Response
{
    /// <summary>The provider's logout URL to send the browser to; empty when no provider is configured.</summary>
    public string LogoutUrl { get; init; } = "";

    internal static readonly Response Example = new()
    {
        LogoutUrl = "https://example.eu.auth0.com/v2/logout?client_id=spa-client-id&returnTo=https%3A%2F%2Fapp.example.com%2F",
    };
}
