using Gantry.Server.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Server.Tests.Hosting;

/// <summary>The server's host defaults: no watcher over the workspace, ASP.NET's request lines quiet unless configured.</summary>
public sealed class ServerHostDefaultsTests : IAsyncDisposable
{
    private readonly string _workspace = ServerFixture.CreateWorkspace();
    private WebApplication? _app;

    [Fact]
    public async Task Build_ConfigurationFiles_AreNotWatched()
    {
        // An appsettings.json in the workspace is read (so the check below is about a real file source), but
        // not watched: the watcher would cover the whole workspace, the store's files included.
        await File.WriteAllTextAsync(Path.Combine(_workspace, "appsettings.json"), """{ "Gantry": { "Probe": "read" } }""");

        var app = await BuildAsync();

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Equal("read", app.Configuration["Gantry:Probe"]);
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is reloaded on change"));
    }

    [Fact]
    public async Task Build_Default_AspNetCoreRequestLinesBelowWarningAreOff_GantryLinesOn()
    {
        var app = await BuildAsync();

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var hosting = loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        var endpoints = loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware");
        Assert.False(hosting.IsEnabled(LogLevel.Information));
        Assert.False(endpoints.IsEnabled(LogLevel.Information));
        Assert.True(hosting.IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Gantry.Server.Telemetry.TelemetryObserver").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Build_AppSettingsAskForRequestLines_TheyAreOn()
    {
        await File.WriteAllTextAsync(
            Path.Combine(_workspace, "appsettings.json"),
            """{ "Logging": { "LogLevel": { "Microsoft.AspNetCore": "Information" } } }""");

        var app = await BuildAsync();

        var hosting = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.True(hosting.IsEnabled(LogLevel.Information));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_workspace, recursive: true);
    }

    private async Task<WebApplication> BuildAsync()
    {
        _app = await GantryServer.BuildAppAsync(
            new GantryServerOptions { Urls = "http://127.0.0.1:0", WorkspaceRoot = _workspace },
            CancellationToken.None);
        return _app;
    }
}
