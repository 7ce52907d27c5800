using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Tests.Support;

/// <summary>
/// Gatehouse as a separate process (<c>dotnet Api.dll</c> on a free port), for a configuration the
/// shared in-process app cannot have: system mode, refused start-ups, a JWKS cache of its own.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    private ApiProcess(Process process, StringBuilder output, string baseUrl)
    {
        _process = process;
        _output = output;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<ApiProcess> StartAsync(IDictionary<string, string?> environment)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var (process, output) = Launch(environment, ["--urls", url]);
        var api = new ApiProcess(process, output, url);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"Gatehouse exited with {process.ExitCode}:\n{api.Output}");
            try
            {
                if ((await api.Http.GetAsync("/health/live")).IsSuccessStatusCode)
                    return api;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await api.DisposeAsync();
        throw new TimeoutException($"Gatehouse did not start:\n{api.Output}");
    }

    /// <summary>Runs <c>dotnet Api.dll args…</c> to its end: exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        // Should it serve after all, it takes a port of its own rather than 5000, which tests running in parallel share.
        var (process, output) = Launch(new Dictionary<string, string?>(environment) { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" }, args);
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // A process that was expected to stop but serves instead must not outlive the test.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                lock (output) throw new TimeoutException($"dotnet Api.dll {string.Join(' ', args)} did not exit:\n{output}");
            }
            lock (output) return (process.ExitCode, output.ToString());
        }
    }

    private static (Process, StringBuilder) Launch(IDictionary<string, string?> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Start from a clean slate: nothing of the shared in-process app's configuration leaks in.
        foreach (var name in start.Environment.Keys.Where(IsGatehouseSetting).ToList())
            start.Environment.Remove(name);
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static bool IsGatehouseSetting(string name) =>
        name.StartsWith("AUTH", StringComparison.Ordinal) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        || name is "DATABASE_URL" or "MIGRATION_DATABASE_URL" or "MIGRATE_ON_STARTUP" or "ENABLE_AUTH" or "FIRST_SUPERUSER"
            or "LOGOUT_REDIRECT_ALLOWLIST" or "ADMIN_PERMISSION" or "CORS_ORIGINS" or "ConnectionStrings__Default"
            or "RATE_LIMIT_PER_MINUTE" or "ANONYMOUS_RATE_LIMIT_PER_MINUTE" or "FORWARDED_HEADERS" or "KNOWN_PROXIES"
            or "METRICS_PORT" or "LOG_FORMAT" or "DEFAULT_API_KEY_TTL_DAYS" || name.StartsWith("OTEL_", StringComparison.Ordinal)
        || name.StartsWith("DATA_PROTECTION_", StringComparison.Ordinal);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
