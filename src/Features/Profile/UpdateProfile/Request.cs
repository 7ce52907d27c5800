using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Features.Profile.UpdateProfile;

/// <summary>
/// A partial update. System.Text.Json calls a setter only for a member present in the body, so each
/// setter records presence: an absent field is left alone, an explicit null clears it.
/// </summary>
internal sealed class Request
{
    public const int MaxPreferencesBytes = 16 * 1024;

    /// <summary>1 to 200 characters.</summary>
    public string? FullName { get; set { field = value; HasFullName = true; } }

    /// <summary>An https URL of up to 2048 characters, or null to clear it.</summary>
    public string? AvatarUrl { get; set { field = value; HasAvatarUrl = true; } }

    /// <summary>A JSON object of up to 16 KiB; it replaces the stored preferences.</summary>
    public JsonElement? Preferences { get; set { field = value; HasPreferences = true; } }

    [JsonIgnore] public bool HasFullName { get; private set; }
    [JsonIgnore] public bool HasAvatarUrl { get; private set; }
    [JsonIgnore] public bool HasPreferences { get; private set; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.FullName)
                .NotNull().WithMessage("full_name cannot be null; send a name of 1 to 200 characters.")
                .Must(n => n!.Trim().Length is >= 1 and <= 200).WithMessage("full_name must be 1 to 200 characters.")
                .When(r => r.HasFullName);

            RuleFor(r => r.AvatarUrl)
                .Must(u => u!.Length <= 2048).WithMessage("avatar_url must be at most 2048 characters.")
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0)
                .WithMessage("avatar_url must be an absolute https:// URL.")
                .When(r => r.HasAvatarUrl && r.AvatarUrl is not null);

            RuleFor(r => r.Preferences)
                .Must(p => p is { ValueKind: JsonValueKind.Object }).WithMessage("preferences must be a JSON object.")
                .Must(p => p is not { } e || JsonInput.StoredLength(e) <= MaxPreferencesBytes)
                .WithMessage("preferences must be at most 16 KiB of JSON.")
                .When(r => r.HasPreferences);
        }
    }

    internal static readonly object Example = new { full_name = "Ada King", avatar_url = "https://example.com/ada.png", preferences = new { theme = "dark" } };
}
