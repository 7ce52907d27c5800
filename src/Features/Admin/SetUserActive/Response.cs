namespace Gatehouse.Features.Admin.SetUserActive;

/// <summary>The user as <c>GET /admin/users</c> lists them.</summary>
internal sealed record Response
{
    public Guid Id { get; init; }
    public string? Email { get; init; }
    public bool EmailVerified { get; init; }
    public string? FullName { get; init; }
    public bool IsActive { get; init; }
    public bool IsSuperuser { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Whether is_active really changed (internal: not part of the answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal bool Changed { get; init; }

    internal static readonly Response Example = new()
    {
        Id = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f70"), Email = "ada@example.com", EmailVerified = true,
        FullName = "Ada Lovelace", IsActive = false, CreatedAt = DateTimeOffset.Parse("2026-11-25T12:00:00Z"),
    };
}
