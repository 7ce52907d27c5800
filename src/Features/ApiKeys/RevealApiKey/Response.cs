namespace Gatehouse.Features.ApiKeys.RevealApiKey;

internal sealed class Response
{
    /// <summary>The default key's secret; it is erased from the server as it is shown.</summary>
    public string Key { get; init; } = "";

    internal static readonly Response Example = new() { Key = "gh_3q2-7wEXAMPLEonlyEXAMPLEonlyEXAMPLEonly0" };
}
