using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Playwright;

namespace Gantry.Designer.Tests.Fixtures;

/// <summary>
/// One real Gantry server (temp workspace with the repository's workflows, viewer/operator/admin
/// tokens) serving the built designer, and one headless Debian Chromium driven by Playwright,
/// shared by every test of the collection. Each test opens its own browser context.
/// </summary>
public sealed class DesignerFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium package; Playwright downloads no browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;

    public ServerFixture Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: the test output folder, so CI keeps them as artifacts.</summary>
    public static string ArtifactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html")))
        {
            throw new InvalidOperationException($"the designer is not built into {AppContext.BaseDirectory}wwwroot: build src/Server without SkipDesignerBuild");
        }

        // The machine may be busy; a page that renders in 100 ms alone can take seconds then.
        Assertions.SetDefaultExpectTimeout(20_000);
        Server = await ServerFixture.StartAsync();
        _playwright = await Playwright.CreateAsync();
        // Launch gives the browser a fresh temporary profile (user data dir) and deletes it on close.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ArtifactsDirectory);
    }

    /// <summary>A new browser context and page at the designer (route is the part after <c>#</c>), signed in with the role's token or not at all; <paramref name="prepare"/> sets the context up before the first page loads.</summary>
    public async Task<BrowserSession> OpenAsync(TokenRole? role, string route = "", Func<IBrowserContext, Task>? prepare = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.Address.ToString(), ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        context.SetDefaultTimeout(20_000);
        if (prepare is not null)
        {
            await prepare(context);
        }

        var page = await context.NewPageAsync();
        if (role is { } r)
        {
            // The designer keeps the token in the tab's sessionStorage; put it there before the app starts.
            await context.AddInitScriptAsync($"sessionStorage.setItem('gantry.token', '{Server.Tokens[r]}')");
        }

        await page.GotoAsync(route.Length == 0 ? "/" : "/#" + route);
        return new BrowserSession(page);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>The tests sharing one server and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class DesignerCollection : ICollectionFixture<DesignerFixture>
{
    public const string Name = "designer";
}
