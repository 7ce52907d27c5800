using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Database;
using Npgsql;

namespace Gatehouse.Tests.Infrastructure.Database;

/// <summary>The TLS part of a postgres:// URL: libpq's sslmode names, and no quiet fallback on a typo.</summary>
public sealed class DatabaseUrlTests
{
    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    [InlineData("VERIFY-FULL", SslMode.VerifyFull)]
    public void Sslmode_takes_libpqs_names(string given, SslMode expected) =>
        new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString($"postgres://u:p@db/app?sslmode={given}", "DATABASE_URL"))
            .SslMode.ShouldBe(expected);

    [Theory]
    [InlineData("requir")]
    [InlineData("verifyfull")]
    [InlineData("3")]
    [InlineData("")]
    public void A_misspelt_sslmode_stops_start_up_naming_the_variable_not_the_url(string given)
    {
        var e = Should.Throw<StartupException>(() =>
            DatabaseUrl.ToConnectionString($"postgres://u:s3cret-pw@db/app?sslmode={given}", "MIGRATION_DATABASE_URL"));
        e.Message.ShouldStartWith("MIGRATION_DATABASE_URL has an unknown sslmode");
        e.Message.ShouldContain("verify-full");
        e.Message.ShouldNotContain("s3cret-pw");
    }

    [Fact]
    public void Sslrootcert_names_the_certificate_to_verify_the_server_with()
    {
        var builder = new NpgsqlConnectionStringBuilder(
            DatabaseUrl.ToConnectionString("postgres://u:p@db/app?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fdb-ca.pem", "DATABASE_URL"));
        builder.SslMode.ShouldBe(SslMode.VerifyFull);
        builder.RootCertificate.ShouldBe("/etc/ssl/db-ca.pem");
    }
}
