using System.Collections.Concurrent;
using Npgsql;

namespace Gatehouse.Tests.Support;

/// <summary>
/// A database of its own for this test process, on the cluster that ./test started, reached as the
/// two roles the API uses — the schema owner (migrations) and the runtime role — and as a superuser,
/// which row-level security does not filter, for assertions about what was written.
/// Every database this process created is dropped once its tests are done (<see cref="GatehouseTestFramework"/>),
/// so the cluster does not fill up.
/// </summary>
public sealed class TestDatabase
{
    public string Name { get; }
    public string OwnerUrl { get; }
    public string AppUrl { get; }
    public string SuperuserUrl { get; }
    public NpgsqlDataSource Superuser { get; }

    private static readonly string Host = Env("GATEHOUSE_TEST_PG", "127.0.0.1:55433");
    private static readonly string OwnerCredentials = Env("GATEHOUSE_TEST_OWNER", "gatehouse_owner:gatehouse-owner-dev");
    private static readonly string AppCredentials = Env("GATEHOUSE_TEST_APP", "gatehouse_app:gatehouse-app-dev");
    private static readonly string SuperuserCredentials = Env("GATEHOUSE_TEST_SUPERUSER", "postgres:postgres");

    private static readonly ConcurrentDictionary<string, byte> Created = new();

    private TestDatabase(string name)
    {
        Name = name;
        OwnerUrl = Url(OwnerCredentials, name);
        AppUrl = Url(AppCredentials, name);
        SuperuserUrl = Url(SuperuserCredentials, name);
        Superuser = NpgsqlDataSource.Create(Gatehouse.Infrastructure.Database.DatabaseUrl.ToConnectionString(SuperuserUrl, "test"));
    }

    /// <summary>Creates an empty database owned by the owner role.</summary>
    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        var name = $"gh_{purpose}_{Guid.NewGuid():N}";
        await using var admin = NpgsqlDataSource.Create(
            Gatehouse.Infrastructure.Database.DatabaseUrl.ToConnectionString(Url(OwnerCredentials, "postgres"), "test"));
        await using var create = admin.CreateCommand($"create database {name}");
        await create.ExecuteNonQueryAsync();
        Created[name] = 0;
        return new TestDatabase(name);
    }

    /// <summary>
    /// Drops what this process created, as the superuser: WITH (FORCE) ends the connections that linger
    /// (the app's pool, its LISTEN connection, the superuser's own pool), which only a superuser may end.
    /// Not at a fixture's end: the shared app and the processes some tests start use their databases until
    /// the last test is over.
    /// </summary>
    internal static async Task DropAllAsync()
    {
        if (Created.IsEmpty)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(
            Gatehouse.Infrastructure.Database.DatabaseUrl.ToConnectionString(Url(SuperuserCredentials, "postgres"), "test"));
        await admin.OpenAsync();
        foreach (var name in Created.Keys)
        {
            // The name is ours (gh_<purpose>_<guid>), never input; identifiers cannot be parameters.
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", admin);
            await drop.ExecuteNonQueryAsync();
            Created.TryRemove(name, out _);
        }
    }

    public static string Url(string credentials, string database) => $"postgres://{credentials}@{Host}/{database}";

    public string ConnectionString(bool owner = true) =>
        Gatehouse.Infrastructure.Database.DatabaseUrl.ToConnectionString(owner ? OwnerUrl : AppUrl, "test");

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
