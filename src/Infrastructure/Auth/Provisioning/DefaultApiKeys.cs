using Gatehouse.Infrastructure.Auth.ApiKeys;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Infrastructure.Auth.Provisioning;

/// <summary>
/// The default API key made at first login: its secret is sealed with Data Protection until the user
/// reveals it once (then erased), so nothing readable sits in the database meanwhile. It expires
/// <c>DEFAULT_API_KEY_TTL_DAYS</c> after it is made, so a key nobody uses does not stay valid for ever.
/// </summary>
public sealed class DefaultApiKeys(IDataProtectionProvider provider, DefaultApiKeys.Lifetime lifetime)
{
    public const string Name = "Default key";
    public const int DefaultTtlDays = 90;

    public sealed record Lifetime(TimeSpan Ttl);

    /// <summary>How long after it is made a default key expires.</summary>
    public TimeSpan Ttl => lifetime.Ttl;

    public static TimeSpan ReadTtl(IConfiguration config)
    {
        var text = config["DEFAULT_API_KEY_TTL_DAYS"];
        if (string.IsNullOrWhiteSpace(text))
            return TimeSpan.FromDays(DefaultTtlDays);
        // 36500 days (100 years) keeps now() + TTL well inside timestamptz.
        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
            || days is < 1 or > 36500)
            throw new StartupException("DEFAULT_API_KEY_TTL_DAYS must be a whole number of days from 1 to 36500 (default 90).");
        return TimeSpan.FromDays(days);
    }

    private readonly IDataProtector _protector = provider.CreateProtector("Gatehouse.ApiKeys.DefaultKey.v1");

    public sealed record Sealed(string DisplayPrefix, byte[] Hash, string SealedKey);

    public Sealed Create()
    {
        var (key, prefix, hash) = ApiKeyAuthenticator.NewKey();
        return new Sealed(prefix, hash, _protector.Protect(key));
    }

    /// <returns>The secret; null when this key ring cannot unseal it (the key that sealed it is lost, or the copy is damaged).</returns>
    public string? TryUnseal(string sealedKey)
    {
        try
        {
            return _protector.Unprotect(sealedKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
