using Gantry.Cli.Commands;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;
using Gantry.Engine.Stores;
using Gantry.Cli.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>
/// The engine as the CLI runs it: the workspace's data folder, the durable store (SQLite file by
/// default, <c>--db</c> or <c>GANTRY_DB</c> for another file or PostgreSQL), providers, a console
/// observer that shows progress as journal events arrive, and an engine whose every execution holds the
/// run's lease (a server or <c>gantry worker</c> on this or another machine never runs the same run at
/// the same time). Workflow files are imported as definition versions on opening.
/// </summary>
internal sealed partial class RunHost : IAsyncDisposable
{
    /// <summary>Overrides the 30 s lease (e.g. <c>5s</c>); tests use short leases to take over quickly.</summary>
    public const string LeaseVariable = "GANTRY_LEASE";

    private readonly ServiceProvider _services;
    private readonly StoreSet _stores;

    private RunHost(
        ServiceProvider services,
        StoreSet stores,
        WorkspaceCatalog catalog,
        RunProgressObserver observer,
        RunWorkerOptions workerOptions,
        IReadOnlyDictionary<string, DefinitionVersion> imported)
    {
        _services = services;
        _stores = stores;
        Catalog = catalog;
        Observer = observer;
        Imported = imported;
        Engine = services.GetRequiredService<WorkflowEngine>();
        Worker = new RunWorker(Engine, stores.Leases, workerOptions, services.GetRequiredService<TimeProvider>());
    }

    public WorkflowEngine Engine { get; }

    public RunWorker Worker { get; }

    public WorkspaceCatalog Catalog { get; }

    public RunProgressObserver Observer { get; }

    public IRunStore Runs => _stores.Runs;

    public IDefinitionStore Definitions => _stores.Definitions;

    public IRunRetention Retention => _stores.Retention;

    /// <summary>The CLI's log (stderr), for what runs beside the engine, such as the retention pruner.</summary>
    public ILoggerFactory Logging => _services.GetRequiredService<ILoggerFactory>();

    /// <summary>The published version of each workflow file, by workflow id, as imported on opening.</summary>
    public IReadOnlyDictionary<string, DefinitionVersion> Imported { get; }

    /// <summary>Opens the workspace's store and engine; <paramref name="live"/> allows the live step tree when the console is a terminal.</summary>
    public static async Task<RunHost> OpenAsync(
        RunSettings settings,
        IAnsiConsole console,
        TimeProvider time,
        bool live,
        CancellationToken cancellationToken,
        RunWorkerOptions? workerOptions = null)
    {
        var catalog = WorkspaceCatalog.Discover(settings.Workspace ?? Directory.GetCurrentDirectory());
        var stores = await WorkspaceStore.OpenAsync(settings.Db, catalog.Root, null, cancellationToken, time).ConfigureAwait(false);
        Infrastructure.StartupTrace.Mark("store opened");
        try
        {
            var imported = await DefinitionImport
                .ImportAsync(catalog, stores.Definitions, Environment.UserName, cancellationToken)
                .ConfigureAwait(false);
            Infrastructure.StartupTrace.Mark("definitions imported");
            var mode = settings.Json ? ProgressMode.Json : live && LiveRunDisplay.Supported(console) ? ProgressMode.Live : ProgressMode.Lines;
            var observer = new RunProgressObserver(console, mode, time);
            var services = CliServices.Create()
                .AddSingleton(stores.Runs)
                .AddSingleton(stores.Quarantine)
                .AddSingleton<IJournalObserver>(observer)
                .AddGantryEngine(o =>
                {
                    o.DataDirectory = Path.Combine(catalog.Root, ".gantry");
                    o.ResumeInProcess = false;
                    o.Lease = workerOptions?.Lease ?? LeaseFromEnvironment() ?? o.Lease;
                    o.NodeId = workerOptions?.NodeId ?? o.NodeId;
                })
                .AddGantryProviders()
                .AddCliLogging()
                .BuildServiceProvider();
            Infrastructure.StartupTrace.Mark("engine");
            workerOptions ??= new RunWorkerOptions { Lease = LeaseFromEnvironment() ?? TimeSpan.FromSeconds(30) };

            return new RunHost(services, stores, catalog, observer, workerOptions, imported);
        }
        catch
        {
            await stores.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The lease set by <see cref="LeaseVariable"/>, or null.</summary>
    public static TimeSpan? LeaseFromEnvironment() =>
        Duration.TryParse(Environment.GetEnvironmentVariable(LeaseVariable), out var lease) && lease > TimeSpan.Zero ? lease : null;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await _stores.DisposeAsync().ConfigureAwait(false);
    }
}
