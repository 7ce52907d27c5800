using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace Gatehouse.Infrastructure.DataProtection;

/// <summary>
/// The Data Protection key ring (it seals each default API key until its one reveal) lives in
/// <c>data_protection_keys</c>. With <c>DATA_PROTECTION_CERTIFICATE</c> every key is encrypted to that
/// certificate before it is stored, so a copy of the database alone unseals nothing.
/// </summary>
public static class KeyRingSetup
{
    /// <param name="Certificate">Encrypts new keys and decrypts them; null when the key ring is stored in clear.</param>
    /// <param name="Previous">Earlier certificates, kept only to decrypt the keys they encrypted.</param>
    public sealed record KeyRingProtection(X509Certificate2? Certificate, IReadOnlyList<X509Certificate2> Previous);

    public static WebApplicationBuilder AddKeyRing(this WebApplicationBuilder builder)
    {
        var protection = Read(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(protection);
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("gatehouse");
        if (protection.Certificate is { } certificate)
        {
            // Also registers the certificate for decryption; the previous ones only decrypt.
            dataProtection.ProtectKeysWithCertificate(certificate);
            if (protection.Previous.Count > 0)
                dataProtection.UnprotectKeysWithAnyCertificate([.. protection.Previous]);
        }
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, dataSource) => o.XmlRepository = new PostgresXmlRepository(dataSource));
        return builder;
    }

    /// <summary>Says at start-up which protection is in force: the certificates' thumbprints, never a secret.</summary>
    public static WebApplication LogKeyRingProtection(this WebApplication app)
    {
        var protection = app.Services.GetRequiredService<KeyRingProtection>();
        if (protection.Certificate is { } certificate)
            app.Logger.LogInformation(
                "Data Protection key ring: encrypted at rest with certificate {Thumbprint} (DATA_PROTECTION_CERTIFICATE); {PreviousCount} previous certificate(s) decrypt older keys",
                certificate.Thumbprint, protection.Previous.Count);
        else
            app.Logger.LogWarning(
                "Data Protection key ring: stored UNENCRYPTED in data_protection_keys (DATA_PROTECTION_CERTIFICATE is not set): " +
                "anyone with a copy of the database can unseal the default API keys not yet revealed");
        return app;
    }

    public static KeyRingProtection Read(IConfiguration config, IHostEnvironment environment)
    {
        var password = config["DATA_PROTECTION_CERTIFICATE_PASSWORD"];
        var path = Clean(config["DATA_PROTECTION_CERTIFICATE"]);
        var previousPaths = (Clean(config["DATA_PROTECTION_PREVIOUS_CERTIFICATES"]) ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var allowUnencrypted = Clean(config["DATA_PROTECTION_ALLOW_UNENCRYPTED"]) switch
        {
            null => false,
            var text when bool.TryParse(text, out var value) => value,
            _ => throw new StartupException("DATA_PROTECTION_ALLOW_UNENCRYPTED must be true or false."),
        };

        if (path is null)
        {
            if (previousPaths.Length > 0)
                throw new StartupException("DATA_PROTECTION_PREVIOUS_CERTIFICATES is set without DATA_PROTECTION_CERTIFICATE: set the current certificate too.");
            // Fail closed: a production key ring in clear lets a database copy unseal every unrevealed key.
            if (environment.IsProduction() && !allowUnencrypted)
                throw new StartupException(
                    "DATA_PROTECTION_CERTIFICATE is not set, so the key ring would be stored unencrypted in the database: " +
                    "set DATA_PROTECTION_CERTIFICATE (a PFX file) and DATA_PROTECTION_CERTIFICATE_PASSWORD, " +
                    "or DATA_PROTECTION_ALLOW_UNENCRYPTED=true to accept that explicitly.");
            return new KeyRingProtection(null, []);
        }

        var certificate = Load(path, password, "DATA_PROTECTION_CERTIFICATE", "DATA_PROTECTION_CERTIFICATE_PASSWORD");
        // Older certificates usually had the same password; DATA_PROTECTION_PREVIOUS_CERTIFICATES_PASSWORD says otherwise.
        var previousPassword = config["DATA_PROTECTION_PREVIOUS_CERTIFICATES_PASSWORD"];
        var previous = previousPaths.Select(p => previousPassword is null
            ? Load(p, password, "DATA_PROTECTION_PREVIOUS_CERTIFICATES", "DATA_PROTECTION_CERTIFICATE_PASSWORD")
            : Load(p, previousPassword, "DATA_PROTECTION_PREVIOUS_CERTIFICATES", "DATA_PROTECTION_PREVIOUS_CERTIFICATES_PASSWORD")).ToList();
        return new KeyRingProtection(certificate, previous);
    }

    /// <summary>A PFX with an RSA private key (what XML encryption of the key ring uses); the message names the variable, never the password.</summary>
    private static X509Certificate2 Load(string path, string? password, string variable, string passwordVariable)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{variable}: the certificate file {path} cannot be read ({e.GetType().Name}).");
        }
        catch (CryptographicException)
        {
            throw new StartupException(
                $"{variable}: {path} is not a PFX (PKCS#12) file that {passwordVariable} opens (wrong password or damaged file).");
        }
        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
            throw new StartupException($"{variable}: {path} holds no RSA private key; the key ring needs one to encrypt and decrypt its keys.");
        return certificate;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
