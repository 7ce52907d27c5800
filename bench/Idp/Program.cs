// The benchmark's identity provider, one tool with four commands (see bench/run):
//   init DIR                                   signing key, a key the JWKS never lists, a self-signed TLS certificate for 127.0.0.1
//   mint DIR ISSUER AUDIENCE PREFIX COUNT OUT [unknown-kid]   COUNT tokens for COUNT subjects, one per line
//   serve DIR ISSUER PORT                      discovery + JWKS over https on 127.0.0.1, counting fetches at /_bench/stats
//   provision URL TOKENS API_KEYS KEYS_OUT     one GET /auth/me per token, then POST /api-keys for the first API_KEYS tokens
// Benchmark only: anyone who can read DIR can mint tokens for it.
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using DevIdp.Tokens;

return args switch
{
    ["init", var dir] => Init(dir),
    ["mint", var dir, var issuer, var audience, var prefix, var count, var output, .. var rest] =>
        Mint(dir, issuer, audience, prefix, int.Parse(count), output, rest is ["unknown-kid"]),
    ["serve", var dir, var issuer, var port] => await Serve(dir, issuer, int.Parse(port)),
    ["provision", var url, var tokens, var apiKeys, var keysOut] => await Provision(url, tokens, int.Parse(apiKeys), keysOut),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: BenchIdp init DIR | mint DIR ISSUER AUDIENCE PREFIX COUNT OUT [unknown-kid] | serve DIR ISSUER PORT | provision URL TOKENS API_KEYS KEYS_OUT");
    return 2;
}

static SigningKey Key(string dir) => SigningKey.LoadOrCreateRsa(Path.Combine(dir, "signing-key.pem"), "bench-1");

static int Init(string dir)
{
    Directory.CreateDirectory(dir);
    Key(dir).Dispose();
    // Signs the unknown-kid flood: a real RSA signature whose kid no JWKS ever lists.
    SigningKey.LoadOrCreateRsa(Path.Combine(dir, "unknown-key.pem"), "unknown").Dispose();

    // A throwaway self-signed leaf for 127.0.0.1, trusted only by the processes the bench gives SSL_CERT_FILE.
    using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var request = new CertificateRequest("CN=127.0.0.1", tlsKey, HashAlgorithmName.SHA256);
    var names = new SubjectAlternativeNameBuilder();
    names.AddIpAddress(IPAddress.Loopback);
    names.AddDnsName("localhost");
    request.CertificateExtensions.Add(names.Build());
    request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
    request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
    request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
    var now = DateTimeOffset.UtcNow;
    using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
    File.WriteAllText(Path.Combine(dir, "tls.pem"), certificate.ExportCertificatePem());
    File.WriteAllText(Path.Combine(dir, "tls.key"), tlsKey.ExportPkcs8PrivateKeyPem());
    return 0;
}

static int Mint(string dir, string issuer, string audience, string prefix, int count, string output, bool unknownKid)
{
    using var key = unknownKid ? SigningKey.LoadOrCreateRsa(Path.Combine(dir, "unknown-key.pem"), "unknown") : Key(dir);
    using var writer = new StreamWriter(output);
    for (var i = 1; i <= count; i++)
    {
        var name = $"{prefix}-{i:D4}";
        var claims = TokenMinter.Claims(issuer, audience, $"bench|{name}", TimeSpan.FromHours(4),
            new Dictionary<string, JsonNode?>
            {
                ["email"] = $"{name}@bench.example",
                ["email_verified"] = true,
                ["name"] = $"Bench {name}",
                ["permissions"] = new JsonArray(),
                ["scope"] = "openid profile email",
            });
        // Each unknown-kid token names its own kid: a flood of kids, as an attacker would send.
        writer.WriteLine(TokenMinter.Mint(key, claims, unknownKid ? new JsonObject { ["kid"] = $"unknown-{i:D4}" } : null));
    }
    return 0;
}

static async Task<int> Serve(string dir, string issuer, int port)
{
    issuer = issuer.TrimEnd('/') + "/";
    using var key = Key(dir);
    var jwks = TokenMinter.Jwks([key]);
    var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(dir, "tls.pem"), Path.Combine(dir, "tls.key"));
    long jwksFetches = 0, discoveryFetches = 0;

    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(certificate)));
    var app = builder.Build();

    // What AddJwtBearer's Authority reads first; Gatehouse goes to the JWKS directly.
    app.MapGet("/.well-known/openid-configuration", () =>
    {
        Interlocked.Increment(ref discoveryFetches);
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + ".well-known/jwks.json",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
    });
    app.MapGet("/.well-known/jwks.json", (HttpContext http) =>
    {
        Interlocked.Increment(ref jwksFetches);
        http.Response.Headers.CacheControl = "public, max-age=600";
        return Results.Text(jwks, "application/json");
    });
    app.MapGet("/_bench/stats", () =>
        Results.Text($"jwks={Interlocked.Read(ref jwksFetches)} discovery={Interlocked.Read(ref discoveryFetches)}\n"));

    await app.RunAsync();
    return 0;
}

static async Task<int> Provision(string url, string tokensFile, int apiKeys, string keysOut)
{
    var tokens = File.ReadAllLines(tokensFile).Where(l => l.Length > 0).ToArray();
    using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/api/v1/"), Timeout = TimeSpan.FromSeconds(60) };
    var failures = 0;
    string? firstFailure = null;

    // A request each, a few at a time: provisioning is set-up here, not what is measured.
    await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (token, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "auth/me");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failures) == 1)
            firstFailure = $"GET /auth/me answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
    });
    if (failures > 0)
    {
        Console.Error.WriteLine($"{failures} of {tokens.Length} provisioning requests failed; the first: {firstFailure}");
        return 1;
    }

    var keys = new List<string>();
    foreach (var token in tokens.Take(apiKeys))
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api-keys")
        {
            Content = JsonContent.Create(new { name = "bench", expires_in_days = 30 }),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"POST /api-keys answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return 1;
        }
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        keys.Add(body?["key"]?.GetValue<string>() ?? throw new InvalidOperationException("POST /api-keys returned no key"));
    }
    await File.WriteAllLinesAsync(keysOut, keys);
    Console.WriteLine($"provisioned {tokens.Length} users, created {keys.Count} API keys");
    return 0;
}
