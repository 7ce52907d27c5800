namespace Gatehouse.Features.ApiKeys.ListApiKeys;

internal sealed class Response
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Prefix { get; init; } = "";
    public Guid WorkspaceId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Minute resolution: updated at most once a minute.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
    /// <summary>True for the default key until its one reveal.</summary>
    public bool Revealable { get; init; }

    internal static readonly Response Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f73"),
        Name = "Default key",
        Prefix = "gh_3q2-7w",
        WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71"),
        CreatedAt = DateTimeOffset.Parse("2026-11-25T12:00:00Z"),
        LastUsedAt = DateTimeOffset.Parse("2026-11-25T12:30:00Z"),
        Revealable = true,
    };
}
