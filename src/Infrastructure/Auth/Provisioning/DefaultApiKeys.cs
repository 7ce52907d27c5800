using Gatehouse.Infrastructure.Auth.ApiKeys;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Infrastructure.Auth.Provisioning;

/// <summary>
/// The default API key made at first login: its secret is sealed with Data Protection until the user
/// reveals it once (then erased), so nothing readable sits in the database meanwhile.
/// </summary>
public sealed class DefaultApiKeys(IDataProtectionProvider provider)
{
    public const string Name = "Default key";
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
