using Gatehouse.Tests.Support;
using Microsoft.Playwright;

namespace Gatehouse.Browser.Tests.Support;

/// <summary>
/// A real Gatehouse process configured against a real DevIdp process (both issuers), and a headless chromium:
/// Debian's, at /usr/bin/chromium (CHROMIUM_PATH overrides), never a browser that Playwright downloads.
/// </summary>
public sealed class Stack : IAsyncLifetime
{
    public const string Collection = "stack";

    public DevIdpProcess Idp { get; private set; } = null!;
    public ApiProcess Api { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    public ConsoleServer Console { get; private set; } = null!;
    public string SwaggerUrl => Api.BaseUrl + "/swagger";

    public async Task InitializeAsync()
    {
        var db = await TestDatabase.CreateAsync("browser");
        var urls = DevIdpProcess.ChooseUrls();
        var consoleUrl = ConsoleServer.ChooseUrl();
        // Gatehouse first: its port goes into the provider's registered redirect URIs.
        Api = await ApiProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DATABASE_URL"] = db.AppUrl,
            ["MIGRATION_DATABASE_URL"] = db.OwnerUrl,
            ["MIGRATE_ON_STARTUP"] = "true",
            ["AUTH_ALLOW_HTTP"] = "true",
            ["AUTH0_ISSUER"] = urls.Auth0Url + "/",
            ["AUTH0_AUDIENCE"] = DevIdpProcess.Audience,
            ["AUTH0_CLIENT_ID"] = DevIdpProcess.ClientId,
            ["AUTH0_CLAIM_NAMESPACE"] = DevIdpProcess.ClaimNamespace,
            ["AUTHENTIK_BASE_URL"] = urls.AuthentikUrl,
            ["AUTHENTIK_APP_SLUG"] = "gatehouse",
            ["AUTHENTIK_CLIENT_ID"] = DevIdpProcess.ClientId,
            // The console calls the API from its own origin and logs out back to it.
            ["CORS_ORIGINS"] = consoleUrl,
            ["LOGOUT_REDIRECT_ALLOWLIST"] = consoleUrl + "/",
            ["RATE_LIMIT_PER_MINUTE"] = "0",
            ["ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "0",
            ["AUTH_FAILURE_LIMIT_PER_MINUTE"] = "0",
        });
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Idp = await DevIdpProcess.StartAsync(urls, Api.BaseUrl, consoleUrl);
        Console = await ConsoleServer.StartAsync(consoleUrl, Api.BaseUrl);
        _playwright = await Playwright.CreateAsync();
        // Two cores shared with other suites: a page may take a few seconds to answer.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            // Running as root (CI) needs it; the pages are our own.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Console is not null) await Console.DisposeAsync();
        if (Idp is not null) await Idp.DisposeAsync();
        if (Api is not null) await Api.DisposeAsync();
    }

    /// <summary>Runs <paramref name="test"/> in a fresh browser context; on failure keeps a screenshot of every page and says where.</summary>
    public async Task InBrowserAsync(string name, Func<IBrowserContext, IPage, Task> test)
    {
        await using var context = await Browser.NewContextAsync();
        // Generous: the machine's two cores are often shared with another test suite.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        try
        {
            await test(context, page);
        }
        catch (Exception e)
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(dir);
            var paths = new List<string>();
            foreach (var (open, index) in context.Pages.Select((p, i) => (p, i)))
            {
                var path = Path.Combine(dir, $"{name}-{index}.png");
                try
                {
                    await open.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                    paths.Add(path);
                    // The DOM too: a dialog's hidden part (scrolled out of the screenshot) is often where the failure is.
                    await File.WriteAllTextAsync(Path.ChangeExtension(path, ".html"), await open.ContentAsync());
                }
                catch (PlaywrightException) { }
            }
            throw new Exception($"{name} failed at {page.Url}; screenshots: {string.Join(", ", paths)}\nDevIdp:\n{Tail(Idp.Output)}\nGatehouse:\n{Tail(Api.Output)}", e);
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}

/// <summary>One stack for all the tests: each process takes seconds to start.</summary>
[CollectionDefinition(Stack.Collection)]
public sealed class StackCollection : ICollectionFixture<Stack>;
