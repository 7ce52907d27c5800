namespace Gatehouse.Features.ApiKeys.CreateApiKey;

internal sealed class Response
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    /// <summary>The secret, shown this once: only its hash is kept.</summary>
    public string Key { get; init; } = "";
    public string Prefix { get; init; } = "";
    public Guid WorkspaceId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    internal static readonly Response Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f73"),
        Name = "CI deploys",
        Key = "gh_3q2-7wEXAMPLEonlyEXAMPLEonlyEXAMPLEonly0",
        Prefix = "gh_3q2-7w",
        WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        CreatedAt = DateTimeOffset.Parse("2026-11-25T12:00:00Z"),
        ExpiresAt = DateTimeOffset.Parse("2027-02-23T12:00:00Z"),
    };
}
