namespace DevIdp;

/// <summary>Who signs in: a seeded development user or one typed on the login page. Null fields are left out of the token.</summary>
public sealed record DevUser(string Subject, string? Email, string? Name, bool EmailVerified, IReadOnlyList<string> Permissions)
{
    public static readonly IReadOnlyList<DevUser> Seeded =
    [
        new("devidp|alice", "alice@example.com", "Alice Developer", true, ["admin:access"]),
        new("devidp|bob", "bob@example.com", "Bob Builder", true, []),
        new("devidp|carol", "carol@example.com", "Carol Unverified", false, []),
    ];

    public static DevUser? FindSeeded(string subject) => Seeded.FirstOrDefault(u => u.Subject == subject);

    /// <summary>Permissions typed as "a b" or "a, b".</summary>
    public static IReadOnlyList<string> ParsePermissions(string? text) =>
        (text ?? "").Split([' ', ',', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
