using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Browser.Tests.Support;

/// <summary>
/// The built console (web/dist, made by ./test's build step) on a free port of its own, as a static host would serve
/// it: its files, index.html for the app's own paths (/callback, /silent-renew), and /config.json naming the API.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public string Url { get; }

    private ConsoleServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static string ChooseUrl() => $"http://127.0.0.1:{Gatehouse.Tests.Support.ApiProcess.FreePort()}";

    public static async Task<ConsoleServer> StartAsync(string url, string apiBaseUrl)
    {
        var dist = Path.Combine(DevIdpProcess.RepositoryRoot(), "web", "dist");
        if (!File.Exists(Path.Combine(dist, "index.html")))
            throw new InvalidOperationException($"The console is not built ({dist} has no index.html): ./test builds it, or run `npm ci && npm run build` in web/.");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dist, ApplicationName = "Gatehouse.Console.Tests" });
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var files = new PhysicalFileProvider(dist);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapGet("/config.json", () => Results.Json(new { api_url = apiBaseUrl }));
        app.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = files });
        await app.StartAsync();
        return new ConsoleServer(app, url);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
