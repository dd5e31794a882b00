using Gantry.Cli.Commands;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>
/// The engine as the CLI runs it: the workspace's data folder, the durable store (SQLite file by
/// default, <c>--db</c> or <c>GANTRY_DB</c> for another file or PostgreSQL), providers, and a
/// console observer that shows progress as journal events arrive.
/// </summary>
internal sealed class RunHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly StoreSet _stores;

    private RunHost(ServiceProvider services, StoreSet stores, WorkspaceCatalog catalog, RunProgressObserver observer)
    {
        _services = services;
        _stores = stores;
        Catalog = catalog;
        Observer = observer;
        Engine = services.GetRequiredService<WorkflowEngine>();
    }

    public WorkflowEngine Engine { get; }

    public WorkspaceCatalog Catalog { get; }

    public RunProgressObserver Observer { get; }

    public IRunStore Runs => _stores.Runs;

    /// <summary>Opens the workspace's store and engine; <paramref name="live"/> allows the live step tree when the console is a terminal.</summary>
    public static async Task<RunHost> OpenAsync(RunSettings settings, IAnsiConsole console, TimeProvider time, bool live, CancellationToken cancellationToken)
    {
        var catalog = WorkspaceCatalog.Discover(settings.Workspace ?? Directory.GetCurrentDirectory());
        var stores = await RunStoreFactory.OpenAsync(settings.Db ?? Environment.GetEnvironmentVariable("GANTRY_DB"), catalog.Root, time, cancellationToken).ConfigureAwait(false);
        var mode = settings.Json ? ProgressMode.Json : live && LiveRunDisplay.Supported(console) ? ProgressMode.Live : ProgressMode.Lines;
        var observer = new RunProgressObserver(console, mode, time);
        var services = CliServices.Create()
            .AddSingleton(stores.Runs)
            .AddSingleton<IJournalObserver>(observer)
            .AddGantryEngine(o => o.DataDirectory = Path.Combine(catalog.Root, ".gantry"))
            .AddGantryProviders()
            .BuildServiceProvider();
        return new RunHost(services, stores, catalog, observer);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await _stores.DisposeAsync().ConfigureAwait(false);
    }
}
