using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gatehouse.Tests.Support;
using Npgsql;
using Me = Gatehouse.Features.Profile.Me;
using ListApiKeys = Gatehouse.Features.ApiKeys.ListApiKeys;
using RevealApiKey = Gatehouse.Features.ApiKeys.RevealApiKey;

namespace Gatehouse.Tests.Infrastructure.DataProtection;

/// <summary>A throwaway self-signed RSA certificate as a password-protected PFX file, deleted with the test.</summary>
internal sealed class TestCertificate : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gatehouse-dp-{Guid.NewGuid():N}.pfx");
    public string Password { get; } = $"pw-{Guid.NewGuid():N}";
    public string Thumbprint { get; }
    /// <summary>The certificate (public part) as XML encryption names it in each key's KeyInfo.</summary>
    public string Base64 { get; }

    public TestCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=gatehouse-test-data-protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Thumbprint = certificate.Thumbprint;
        Base64 = Convert.ToBase64String(certificate.RawData);
        File.WriteAllBytes(Path, certificate.Export(X509ContentType.Pfx, Password));
    }

    public void Dispose() => File.Delete(Path);
}

/// <summary>
/// Two Gatehouse processes on a database of their own, sharing one certificate: the key ring they
/// write is encrypted, and each unseals the default keys the other sealed.
/// </summary>
public sealed class EncryptedKeyRingTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private static string Keys => Route.To<ListApiKeys.Endpoint>();
    private static string Reveal(Guid id) => Route.To<RevealApiKey.Endpoint>(new { id });
    private static string Me => Route.To<Me.Endpoint>();
    private TestApp App => fixture.App;
    private readonly TestCertificate _certificate = new();
    private TestDatabase _db = null!;
    private ApiProcess _a = null!;
    private ApiProcess _b = null!;

    private Dictionary<string, string?> Environment()
    {
        var env = TestApp.Environment(_db, App.Auth0, null);
        env["DATA_PROTECTION_CERTIFICATE"] = _certificate.Path;
        env["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = _certificate.Password;
        env["DEFAULT_API_KEY_TTL_DAYS"] = "7";
        return env;
    }

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync("keyring");
        // One after the other: the first migrates the new database.
        _a = await ApiProcess.StartAsync(Environment());
        _b = await ApiProcess.StartAsync(Environment());
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task<List<string>> KeyRingAsync()
    {
        await using var connection = await _db.Superuser.OpenConnectionAsync();
        return (await Dapper.SqlMapper.QueryAsync<string>(connection, "select xml from data_protection_keys")).ToList();
    }

    /// <summary>A new user's first request on <paramref name="api"/>: provisions them with a default key sealed there.</summary>
    private async Task<(string Token, JsonElement DefaultKey)> FirstLoginAsync(ApiProcess api)
    {
        var token = App.Auth0.Token(Unique.Subject(), Unique.Claims(Unique.Email(), "Key Ring"));
        await (await api.Client(token).GetAsync(Me)).ShouldBeOkJsonAsync();
        var keys = await (await api.Client(token).GetAsync(Keys)).ShouldBeOkJsonAsync();
        return (token, keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "Default key"));
    }

    [Fact]
    public async Task With_a_certificate_the_key_ring_rows_hold_no_plaintext_key_material()
    {
        await FirstLoginAsync(_a);

        var rows = await KeyRingAsync();

        rows.ShouldNotBeEmpty();
        foreach (var xml in rows)
        {
            xml.ShouldContain("<encryptedSecret");
            // Encrypted to this certificate.
            xml.ShouldContain(_certificate.Base64);
            // In clear the secret is <masterKey …><value>base64</value></masterKey>.
            xml.ShouldNotContain("<masterKey");
            xml.ShouldNotContain("<value>");
        }
        _a.Output.ShouldContain("encrypted at rest with certificate");
        _a.Output.ShouldNotContain(_certificate.Password);
    }

    [Fact]
    public async Task Two_instances_with_the_same_certificate_unseal_each_others_default_keys()
    {
        var (tokenA, keyA) = await FirstLoginAsync(_a);
        var (tokenB, keyB) = await FirstLoginAsync(_b);

        // Sealed on A, revealed on B; sealed on B, revealed on A.
        var revealedOnB = await (await _b.Client(tokenA).PostAsync(Reveal(keyA.GetProperty("id").GetGuid()), null)).ShouldBeOkJsonAsync();
        var revealedOnA = await (await _a.Client(tokenB).PostAsync(Reveal(keyB.GetProperty("id").GetGuid()), null)).ShouldBeOkJsonAsync();

        (await _a.Client(apiKey: revealedOnB.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _b.Client(apiKey: revealedOnA.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Once: the other instance has nothing left to show.
        await (await _a.Client(tokenA).PostAsync(Reveal(keyA.GetProperty("id").GetGuid()), null)).ShouldBeProblemAsync(HttpStatusCode.Gone);
        // What they shared was the encrypted ring, not a plaintext one.
        (await KeyRingAsync()).ShouldAllBe(xml => xml.Contains("<encryptedSecret") && !xml.Contains("<masterKey"));
    }

    [Fact]
    public async Task A_copy_of_the_database_without_the_certificate_cannot_unseal_a_key()
    {
        var (token, key) = await FirstLoginAsync(_a);
        var id = key.GetProperty("id").GetGuid();
        var env = Environment();
        env.Remove("DATA_PROTECTION_CERTIFICATE");
        env.Remove("DATA_PROTECTION_CERTIFICATE_PASSWORD");
        await using var withoutCertificate = await ApiProcess.StartAsync(env);

        await (await withoutCertificate.Client(token).PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);

        // Nothing was erased: the instance that holds the certificate still reveals it.
        await (await _a.Client(token).PostAsync(Reveal(id), null)).ShouldBeOkJsonAsync();
    }

    [Fact]
    public async Task After_rotation_the_previous_certificate_still_unseals_keys_sealed_before()
    {
        var (token, key) = await FirstLoginAsync(_a);
        using var next = new TestCertificate();
        var env = Environment();
        env["DATA_PROTECTION_CERTIFICATE"] = next.Path;
        env["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = next.Password;
        env["DATA_PROTECTION_PREVIOUS_CERTIFICATES"] = _certificate.Path;
        env["DATA_PROTECTION_PREVIOUS_CERTIFICATES_PASSWORD"] = _certificate.Password;
        await using var rotated = await ApiProcess.StartAsync(env);

        var revealed = await (await rotated.Client(token).PostAsync(Reveal(key.GetProperty("id").GetGuid()), null)).ShouldBeOkJsonAsync();

        (await rotated.Client(apiKey: revealed.GetProperty("key").GetString()).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);
        rotated.Output.ShouldContain(next.Thumbprint);
    }

    [Fact]
    public async Task The_default_key_expires_DEFAULT_API_KEY_TTL_DAYS_after_it_was_made()
    {
        var (_, key) = await FirstLoginAsync(_a);

        var created = key.GetProperty("created_at").GetDateTimeOffset();
        key.GetProperty("expires_at").ValueKind.ShouldBe(JsonValueKind.String);
        (key.GetProperty("expires_at").GetDateTimeOffset() - created).ShouldBe(TimeSpan.FromDays(7));
    }
}

/// <summary>Start-up rules for the key ring's protection and the default keys' lifetime.</summary>
public sealed class KeyRingStartupTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private Dictionary<string, string?> Environment() => TestApp.Environment(App.Db, App.Auth0, null);

    /// <summary>Production refuses http:// issuers; one that is never reached is enough to start.</summary>
    private Dictionary<string, string?> ProductionEnvironment()
    {
        var env = Environment();
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env.Remove("AUTH_ALLOW_HTTP");
        env["AUTH0_ISSUER"] = "https://127.0.0.1:9/";
        return env;
    }

    [Fact]
    public async Task Production_without_a_certificate_or_the_explicit_opt_out_refuses_to_start()
    {
        var (exit, output) = await ApiProcess.RunAsync(ProductionEnvironment());

        exit.ShouldNotBe(0, output);
        output.ShouldContain("DATA_PROTECTION_CERTIFICATE");
        output.ShouldContain("DATA_PROTECTION_ALLOW_UNENCRYPTED=true");
    }

    [Fact]
    public async Task Production_with_the_opt_out_starts_and_logs_that_the_key_ring_is_unencrypted()
    {
        var env = ProductionEnvironment();
        env["DATA_PROTECTION_ALLOW_UNENCRYPTED"] = "true";

        await using var api = await ApiProcess.StartAsync(env);

        (await api.Http.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        api.Output.ShouldContain("stored UNENCRYPTED");
    }

    [Fact]
    public async Task Development_without_a_certificate_starts_and_says_the_key_ring_is_unencrypted()
    {
        await using var api = await ApiProcess.StartAsync(Environment());

        api.Output.ShouldContain("stored UNENCRYPTED");
    }

    [Fact]
    public async Task Production_with_a_certificate_starts_and_logs_its_thumbprint()
    {
        using var certificate = new TestCertificate();
        var env = ProductionEnvironment();
        env["DATA_PROTECTION_CERTIFICATE"] = certificate.Path;
        env["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = certificate.Password;

        await using var api = await ApiProcess.StartAsync(env);

        api.Output.ShouldContain(certificate.Thumbprint);
        api.Output.ShouldNotContain(certificate.Password);
    }

    [Fact]
    public async Task A_missing_certificate_file_stops_start_up_naming_the_variable()
    {
        var env = Environment();
        env["DATA_PROTECTION_CERTIFICATE"] = $"/nonexistent/{Guid.NewGuid():N}.pfx";
        env["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = "secret-password-never-printed";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("Gatehouse cannot start: DATA_PROTECTION_CERTIFICATE");
        output.ShouldNotContain("secret-password-never-printed");
    }

    [Fact]
    public async Task A_wrong_certificate_password_stops_start_up_naming_the_variables_not_the_password()
    {
        using var certificate = new TestCertificate();
        var env = Environment();
        env["DATA_PROTECTION_CERTIFICATE"] = certificate.Path;
        env["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = "wrong-password-never-printed";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("Gatehouse cannot start: DATA_PROTECTION_CERTIFICATE");
        output.ShouldContain("DATA_PROTECTION_CERTIFICATE_PASSWORD");
        output.ShouldNotContain("wrong-password-never-printed");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("ninety")]
    [InlineData("1.5")]
    public async Task A_bad_DEFAULT_API_KEY_TTL_DAYS_stops_start_up(string value)
    {
        var env = Environment();
        env["DEFAULT_API_KEY_TTL_DAYS"] = value;

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("Gatehouse cannot start: DEFAULT_API_KEY_TTL_DAYS");
    }

    [Fact]
    public async Task A_bad_DATA_PROTECTION_ALLOW_UNENCRYPTED_stops_start_up()
    {
        var env = ProductionEnvironment();
        env["DATA_PROTECTION_ALLOW_UNENCRYPTED"] = "yes";

        var (exit, output) = await ApiProcess.RunAsync(env);

        exit.ShouldNotBe(0, output);
        output.ShouldContain("Gatehouse cannot start: DATA_PROTECTION_ALLOW_UNENCRYPTED");
    }
}

/// <summary>The default key's lifetime and the runtime role's rights on the key ring, on the shared app.</summary>
public sealed class DefaultKeyExpiryTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;
    private static string Keys => Route.To<ListApiKeys.Endpoint>();
    private static string Reveal(Guid id) => Route.To<RevealApiKey.Endpoint>(new { id });
    private static string Me => Route.To<Me.Endpoint>();

    [Fact]
    public async Task A_default_key_is_refused_after_its_expiry_and_still_listed_with_expires_at()
    {
        var user = await TestUser.CreateAsync(App);
        var listed = (await (await user.Client().GetAsync(Keys)).ShouldBeOkJsonAsync()).EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "Default key");
        var id = listed.GetProperty("id").GetGuid();
        // The default TTL: 90 days after it was made.
        (listed.GetProperty("expires_at").GetDateTimeOffset() - listed.GetProperty("created_at").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(90));
        var key = (await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeOkJsonAsync()).GetProperty("key").GetString();
        (await App.Client(apiKey: key).GetAsync(Me)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // 91 days pass for this key: made and expiring that much earlier, its lifetime unchanged.
        await App.ExecuteAsync("update api_keys set created_at = created_at - interval '91 days', expires_at = expires_at - interval '91 days' where id = @id",
            new { id });

        await (await App.Client(apiKey: key).GetAsync(Me)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        var after = (await (await user.Client().GetAsync(Keys)).ShouldBeOkJsonAsync()).EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == id);
        after.GetProperty("expires_at").GetDateTimeOffset().ShouldBeLessThan(DateTimeOffset.UtcNow);
        // Reveal stays once: the secret was shown and erased.
        await (await user.Client().PostAsync(Reveal(id), null)).ShouldBeProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task The_runtime_role_reads_and_appends_the_key_ring_but_cannot_change_or_delete_it()
    {
        await using var connection = new NpgsqlConnection(App.Db.ConnectionString(owner: false));
        await connection.OpenAsync();

        (await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "select count(*) from data_protection_keys")).ShouldBeGreaterThanOrEqualTo(0);
        var rights = await Dapper.SqlMapper.QuerySingleAsync<(bool Insert, bool Update, bool Delete, bool Truncate)>(connection, """
            select has_table_privilege('data_protection_keys', 'insert'), has_table_privilege('data_protection_keys', 'update'),
                   has_table_privilege('data_protection_keys', 'delete'), has_table_privilege('data_protection_keys', 'truncate')
            """);
        rights.ShouldBe((true, false, false, false));
        foreach (var sql in new[]
                 {
                     "update data_protection_keys set xml = xml",
                     "delete from data_protection_keys",
                     "truncate data_protection_keys",
                 })
        {
            var refused = await Should.ThrowAsync<PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(connection, sql));
            refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, sql);
        }
    }
}
