using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>Turns the <c>postgres://user:pass@host:port/db</c> form that hosting platforms hand out into a connection string.</summary>
public static class DatabaseUrl
{
    // libpq's names for the modes (https://www.postgresql.org/docs/current/libpq-ssl.html), as platforms write them in URLs.
    private static readonly IReadOnlyDictionary<string, SslMode> SslModes = new Dictionary<string, SslMode>(StringComparer.OrdinalIgnoreCase)
    {
        ["disable"] = SslMode.Disable,
        ["allow"] = SslMode.Allow,
        ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require,
        ["verify-ca"] = SslMode.VerifyCA,
        ["verify-full"] = SslMode.VerifyFull,
    };

    /// <summary>Reads <paramref name="variable"/>, else the fallback connection string. Errors name the variable, never the value.</summary>
    public static string Resolve(IConfiguration config, string variable, string? fallback = null)
    {
        var url = config[variable];
        if (!string.IsNullOrWhiteSpace(url))
            return ToConnectionString(url, variable);
        if (!string.IsNullOrWhiteSpace(fallback))
            return fallback;
        throw new StartupException(
            $"{variable} is not set: give it as postgres://user:password@host:port/database " +
            "(or set ConnectionStrings__Default).");
    }

    public static string ToConnectionString(string url, string variable)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("postgres" or "postgresql")
            || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath.Trim('/').Length == 0)
        {
            throw new StartupException(
                $"{variable} is malformed: expected postgres://user:password@host:port/database.");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')),
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
                // A misspelt mode must not quietly become "prefer", which talks in clear text when the server offers no TLS.
                builder.SslMode = SslModes.TryGetValue(value, out var mode)
                    ? mode
                    : throw new StartupException($"{variable} has an unknown sslmode: use one of {string.Join(", ", SslModes.Keys)}.");
            else if (key.Equals("sslrootcert", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                builder.RootCertificate = value;
        }
        return builder.ConnectionString;
    }
}
