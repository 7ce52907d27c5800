using System.Security.Cryptography;
using System.Text;
using DbUp;
using DbUp.Engine;
using DbUp.Support;
using Npgsql;

namespace Gatehouse.Infrastructure.Database;

/// <summary>
/// Applies the embedded migrations with DbUp, one transaction per script, journaled in <c>schemaversions</c>:
/// first the run-once scripts <c>migrations/*.sql</c> in name order, then the repeatable function
/// scripts <c>migrations/functions/*.sql</c> (one <c>create or replace function</c> each), each applied
/// again whenever its content changes.
/// </summary>
public static class Migrator
{
    private const string ResourcePrefix = "migrations/";
    private const string FunctionsFolder = "functions/";
    public const string JournalTable = "schemaversions";

    // After every run-once script, so that a function may use what the latest migration created.
    private static readonly int FunctionsRunGroup = DbUpDefaults.DefaultRunGroupOrder + 1;

    public sealed record Result(bool Successful, string? FailedScript, string? Error, IReadOnlyList<string> Applied)
    {
        /// <summary>One line for an operator: the failing script when one failed, else what stopped the run.</summary>
        public string Describe() => FailedScript is null
            ? $"Migration failed: {Error}"
            : $"Migration failed in script {FailedScript}: {Error}";
    }

    public static IReadOnlyList<SqlScript> EmbeddedScripts()
    {
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                var path = name[ResourcePrefix.Length..];
                var contents = reader.ReadToEnd();
                return path.StartsWith(FunctionsFolder, StringComparison.Ordinal)
                    ? FunctionScript(path[FunctionsFolder.Length..], contents)
                    : new SqlScript(path, contents);
            })
            .OrderBy(s => s.SqlScriptOptions.RunGroupOrder)
            .ToList();
    }

    /// <summary>
    /// A repeatable script: journaled under its file name and a digest of its content, so DbUp runs it
    /// once per version of the file. DbUp 6 has RunOnce and RunAlways but no "run when changed"
    /// (DbUp/DbUp#430); RunAlways would re-create every function on every start, taking catalog locks
    /// while other instances serve, and would leave nothing to tell a pending function change by.
    /// </summary>
    public static SqlScript FunctionScript(string fileName, string contents)
    {
        // Line endings depend on the checkout, not on the function.
        var canonical = contents.ReplaceLineEndings("\n");
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
        return new SqlScript($"{FunctionsFolder}{fileName}@{digest}", contents,
            new SqlScriptOptions { ScriptType = ScriptType.RunOnce, RunGroupOrder = FunctionsRunGroup });
    }

    /// <param name="runtimeRole">The role the API connects as, granted access to the tables when it is not the owner.</param>
    public static Result Apply(string migrationConnectionString, IEnumerable<SqlScript> scripts, string? runtimeRole, ILogger logger)
    {
        // Asked first, so that a refused connection is one line rather than DbUp's logged stack trace.
        if (ConnectionProblem(migrationConnectionString) is { } problem)
            return new Result(false, null, problem, []);

        var engine = DeployChanges.To
            .PostgresqlDatabase(migrationConnectionString)
            .WithScripts(scripts)
            .WithTransactionPerScript()
            // Scripts contain dollar-quoted PL/pgSQL; DbUp's $variable$ substitution would mangle it.
            .WithVariablesDisabled()
            .JournalToPostgresqlTable("public", JournalTable)
            .LogTo(logger)
            .Build();

        var result = engine.PerformUpgrade();
        var applied = result.Scripts.Select(s => s.Name).ToList();
        if (!result.Successful)
            return new Result(false, result.ErrorScript?.Name, result.Error?.Message, applied);

        if (runtimeRole is not null)
            GrantRuntimeRole(migrationConnectionString, runtimeRole);
        return new Result(true, null, null, applied);
    }

    /// <summary>Why the database cannot be used, in words that carry no password; null when it answers.</summary>
    private static string? ConnectionProblem(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            return null;
        }
        catch (PostgresException e)
        {
            return $"the database refused the connection: {e.MessageText} ({e.SqlState}).";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Npgsql names the host and port it tried, never the password.
            return $"the database did not answer: {e.Message}";
        }
    }

    /// <summary>Names of embedded scripts that the journal does not list yet; null when the database cannot be asked.</summary>
    public static async Task<IReadOnlyList<string>> PendingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select scriptname from public.schemaversions");
        var applied = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                applied.Add(reader.GetString(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No journal yet: everything is pending.
        }
        return EmbeddedScripts().Select(s => s.Name).Where(n => !applied.Contains(n)).ToList();
    }

    /// <summary>
    /// The runtime role owns nothing and creates nothing; it is granted plain DML on the tables the
    /// owner created, except the journal (read only), the key ring (read and append) and the audit
    /// trail (read and append).
    /// </summary>
    private static void GrantRuntimeRole(string connectionString, string runtimeRole)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var current = new NpgsqlCommand("select current_user", connection);
        if ((string)current.ExecuteScalar()! == runtimeRole)
            return;
        var role = QuoteIdentifier(runtimeRole);
        using var grant = new NpgsqlCommand($"""
            grant usage on schema public to {role};
            -- Whatever it was once granted: an object it created in public could run with the owner's rights.
            revoke create on schema public from {role};
            grant select, insert, update, delete on all tables in schema public to {role};
            grant execute on all functions in schema public to {role};
            revoke insert, update, delete, truncate on {JournalTable} from {role};
            -- Data Protection reads and appends keys, nothing more: no role of the API rewrites or drops the key ring.
            revoke update, delete, truncate on data_protection_keys from {role};
            -- The audit trail is append-only for the API (migrations/0009); only the owner prunes it.
            revoke update, delete, truncate on audit_events from {role};
            revoke execute on function prune_audit_events(timestamptz, integer) from {role};
            """, connection);
        grant.ExecuteNonQuery();
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary><c>dotnet Api.dll migrate</c>: 0 on success, 1 with the failing script's name otherwise.</summary>
    public static int RunCommand(IConfiguration config, ILogger logger)
    {
        try
        {
            var connections = DatabaseSetup.ReadConnectionStrings(config);
            var result = Apply(connections.Migration, EmbeddedScripts(), RuntimeRole(connections), logger);
            if (result.Successful)
            {
                Console.WriteLine(result.Applied.Count == 0
                    ? "Database is up to date."
                    : $"Applied {result.Applied.Count} migration(s): {string.Join(", ", result.Applied)}");
                return 0;
            }
            Console.Error.WriteLine(result.Describe());
            return 1;
        }
        catch (Exception e) when (e is StartupException or NpgsqlException)
        {
            Console.Error.WriteLine($"Migration failed: {e.Message}");
            return 1;
        }
    }

    public static string? RuntimeRole(DatabaseSetup.ConnectionStrings connections) =>
        connections.Runtime == connections.Migration
            ? null
            : new NpgsqlConnectionStringBuilder(connections.Runtime).Username;
}
