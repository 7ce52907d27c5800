using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace DevIdp.Tokens;

/// <summary>A signing key with its kid, as an identity provider keeps it: RSA (RS256) or P-256 (ES256).</summary>
public sealed class SigningKey : IDisposable
{
    private SigningKey(string kid, RSA? rsa, ECDsa? ec)
    {
        Kid = kid;
        Rsa = rsa;
        Ec = ec;
    }

    public string Kid { get; }
    public RSA? Rsa { get; }
    public ECDsa? Ec { get; }
    public string Algorithm => Rsa is not null ? "RS256" : "ES256";

    public static SigningKey CreateRsa(string? kid = null, int bits = 2048) =>
        new(kid ?? NewKid(), RSA.Create(bits), null);

    public static SigningKey CreateEc(string? kid = null) =>
        new(kid ?? NewKid(), null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads an RSA key from PKCS#8 PEM, or creates one and saves it there, so tokens survive restarts.</summary>
    public static SigningKey LoadOrCreateRsa(string pemPath, string kid)
    {
        var rsa = RSA.Create(2048);
        if (File.Exists(pemPath))
            rsa.ImportFromPem(File.ReadAllText(pemPath));
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pemPath))!);
            File.WriteAllText(pemPath, rsa.ExportPkcs8PrivateKeyPem());
        }
        return new SigningKey(kid, rsa, null);
    }

    public static string NewKid() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    public byte[] Sign(byte[] data) => Rsa is not null
        ? Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : Ec!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The public half as a JWK, the way Auth0 and Authentik publish it.</summary>
    public JsonObject ToPublicJwk()
    {
        if (Rsa is not null)
        {
            var p = Rsa.ExportParameters(false);
            return new JsonObject
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = Kid,
                ["n"] = Base64Url.Encode(p.Modulus!), ["e"] = Base64Url.Encode(p.Exponent!),
            };
        }
        var q = Ec!.ExportParameters(false).Q;
        return new JsonObject
        {
            ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = Kid, ["crv"] = "P-256",
            ["x"] = Base64Url.Encode(q.X!), ["y"] = Base64Url.Encode(q.Y!),
        };
    }

    /// <summary>The RSA public key in SubjectPublicKeyInfo DER: what a confused verifier might use as an HMAC secret.</summary>
    public byte[] PublicKeyBytes() => Rsa?.ExportSubjectPublicKeyInfo() ?? Ec!.ExportSubjectPublicKeyInfo();

    public void Dispose()
    {
        Rsa?.Dispose();
        Ec?.Dispose();
    }
}

public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
