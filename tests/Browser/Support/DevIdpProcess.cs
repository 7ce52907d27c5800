using System.Diagnostics;
using System.Text;
using Gatehouse.Tests.Support;

namespace Gatehouse.Browser.Tests.Support;

/// <summary>The development identity provider (tools/DevIdp) as a process: both issuers on free ports.</summary>
public sealed class DevIdpProcess : IAsyncDisposable
{
    public const string ClientId = "gatehouse-dev-spa";
    public const string Audience = "https://gatehouse.local/api";
    public const string ClaimNamespace = "https://gatehouse.local/";

    private readonly Process _process;
    private readonly StringBuilder _output;

    public string Auth0Url { get; }
    public string AuthentikUrl { get; }
    public string Auth0Issuer => Auth0Url + "/";
    public string AuthentikIssuer => AuthentikUrl + "/application/o/gatehouse/";
    public string Output { get { lock (_output) return _output.ToString(); } }

    private DevIdpProcess(Process process, StringBuilder output, string auth0Url, string authentikUrl)
    {
        _process = process;
        _output = output;
        Auth0Url = auth0Url;
        AuthentikUrl = authentikUrl;
    }

    /// <summary>Ports chosen up front, so that Gatehouse can be configured with the issuers before either starts.</summary>
    public static (string Auth0Url, string AuthentikUrl) ChooseUrls() =>
        ($"http://127.0.0.1:{ApiProcess.FreePort()}", $"http://127.0.0.1:{ApiProcess.FreePort()}");

    /// <summary>Registers Swagger UI's redirect on <paramref name="apiBaseUrl"/> and the console's on <paramref name="consoleUrl"/>.</summary>
    public static async Task<DevIdpProcess> StartAsync((string Auth0Url, string AuthentikUrl) urls, string apiBaseUrl, string consoleUrl)
    {
        var keys = Directory.CreateTempSubdirectory("devidp-test-");
        var (process, output) = Launch(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DEVIDP_AUTH0_URL"] = urls.Auth0Url,
            ["DEVIDP_AUTHENTIK_URL"] = urls.AuthentikUrl,
            ["DEVIDP_KEY_FILE"] = Path.Combine(keys.FullName, "devidp-key.pem"),
            // The console's test port is registered like :5173 is for ./run (DevIdp's CORS follows these origins).
            ["DEVIDP_REDIRECT_URIS"] = $"{apiBaseUrl}/swagger/oauth2-redirect.html,{consoleUrl}/callback,{consoleUrl}/silent-renew",
            ["DEVIDP_POST_LOGOUT_REDIRECT_URIS"] = $"{apiBaseUrl}/swagger,{consoleUrl}/",
        });
        var idp = new DevIdpProcess(process, output, urls.Auth0Url, urls.AuthentikUrl);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"DevIdp exited with {process.ExitCode}:\n{idp.Output}");
            try
            {
                if ((await http.GetAsync(idp.Auth0Url + "/.well-known/openid-configuration")).IsSuccessStatusCode
                    && (await http.GetAsync(idp.AuthentikIssuer + ".well-known/openid-configuration")).IsSuccessStatusCode)
                    return idp;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        await idp.DisposeAsync();
        throw new TimeoutException($"DevIdp did not start:\n{idp.Output}");
    }

    /// <summary>Runs DevIdp with <paramref name="environment"/> until it exits (or 60 s): exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IDictionary<string, string?> environment)
    {
        var (process, output) = Launch(environment);
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                lock (output) throw new TimeoutException($"DevIdp did not exit:\n{output}");
            }
            lock (output) return (process.ExitCode, output.ToString());
        }
    }

    public static string DllPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        return Path.Combine(RepositoryRoot(), "tools", "DevIdp", "bin", configuration, "net10.0", "DevIdp.dll");
    }

    /// <summary>The checkout the tests run from: the folder with Gatehouse.slnx above the test's bin.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Gatehouse.slnx) is not above the test's bin.");
    }

    private static (Process, StringBuilder) Launch(IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(DllPath());
        // Nothing of this process's environment decides where DevIdp runs or what it is.
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("DEVIDP_", StringComparison.Ordinal)
                     || n.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || n.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
