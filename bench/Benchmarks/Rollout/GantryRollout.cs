using System.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// The repository's rolling-deploy through the engine, as <c>gantry run</c> does it: the
/// fleet's workspace and environment, the durable SQLite store, real SSH deploys and real HAProxy.
/// The process is already warm (like <c>gantry serve</c> or a worker), so only the run is timed.
/// </summary>
internal sealed class GantryRollout : IAsyncDisposable
{
    private readonly RealFleet _fleet;
    private readonly StoreSet _stores;
    private readonly ServiceProvider _services;
    private readonly WorkflowEngine _engine;

    private GantryRollout(RealFleet fleet, StoreSet stores, ServiceProvider services)
    {
        _fleet = fleet;
        _stores = stores;
        _services = services;
        _engine = services.GetRequiredService<WorkflowEngine>();
    }

    public static async Task<GantryRollout> OpenAsync(RealFleet fleet)
    {
        var stores = await RunStoreFactory.OpenAsync(null, fleet.WorkspaceDirectory, TimeProvider.System, CancellationToken.None);
        var services = new ServiceCollection()
            .AddSingleton(stores.Runs)
            .AddGantryEngine(o => o.DataDirectory = Path.Combine(fleet.WorkspaceDirectory, ".gantry"))
            .AddGantryProviders()
            .BuildServiceProvider();
        return new GantryRollout(fleet, stores, services);
    }

    /// <summary>The last run's id, for <see cref="TimelineAsync"/>.</summary>
    public string? LastRunId { get; private set; }

    /// <summary>The last run's journal, one line per event with its offset from the first: where the time went.</summary>
    public async Task<IReadOnlyList<string>> TimelineAsync()
    {
        var journal = await _engine.Store.ReadJournalAsync(LastRunId!, 0, CancellationToken.None);
        var start = journal[0].Time;
        return journal.Select(e => $"{(e.Time - start).TotalSeconds,8:0.000}  {e.Type,-15} {e.StepId ?? e.Activity ?? "",-14} {e.Host ?? ""} {Shorten(e.Message)}").ToList();
    }

    /// <summary>
    /// How long each group of the last run was out of rotation, from the journal: from the step's
    /// "taking out" report (its drain starts) to the next ": up" report (HAProxy serves it again).
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> OutOfRotationAsync(string? runId = null)
    {
        var logs = (await _engine.Store.ReadJournalAsync(runId ?? LastRunId!, 0, CancellationToken.None)).Where(e => e.Type == JournalEventTypes.Log && e.Message is not null).ToList();
        var spans = new List<TimeSpan>();
        for (var i = 0; i < logs.Count; i++)
        {
            if (!logs[i].Message!.Contains(": taking out ", StringComparison.Ordinal))
            {
                continue;
            }

            var up = logs.Skip(i + 1).FirstOrDefault(e => e.Message!.EndsWith(": up", StringComparison.Ordinal));
            if (up is not null)
            {
                spans.Add(up.Time - logs[i].Time);
            }
        }

        return spans;
    }

    /// <summary>The newest rolling-deploy run in the workspace's store, whoever started it (a <c>gantry run</c> process).</summary>
    public async Task<string> NewestRunIdAsync()
    {
        var runs = await _engine.Store.ListRunsAsync(new RunQuery { WorkflowId = "rolling-deploy", Limit = 1000 }, CancellationToken.None);
        return runs.MaxBy(r => r.CreatedAt)!.Id;
    }

    private static string Shorten(string? text) =>
        text is null ? "" : text.ReplaceLineEndings(" ") is { Length: > 140 } line ? line[..140] + "…" : text.ReplaceLineEndings(" ");

    /// <summary>The CPU time (user + system) this process spent during the last <see cref="RunAsync"/>: the engine, SSH.NET and the store.</summary>
    public TimeSpan LastCpu { get; private set; }

    /// <summary>Rolls the highest stable tag out; returns the run's wall time from start to finish.</summary>
    public async Task<TimeSpan> RunAsync()
    {
        var catalog = new WorkspaceCatalog(_fleet.WorkspaceDirectory);
        var library = catalog.LoadWorkflows();
        var text = await File.ReadAllTextAsync(_fleet.EnvironmentPath);
        var environment = DocumentLoader.LoadEnvironment(text, _fleet.EnvironmentPath).GetOrThrow();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var run = await _engine.StartAsync(new StartRunRequest
        {
            Workflow = library["rolling-deploy"],
            Library = library,
            Environment = environment,
            EnvironmentText = text,
            Inputs = new Dictionary<string, object?> { ["ref"] = "stable" },
        }, CancellationToken.None);
        var finished = await _engine.RunAsync(run.Id, CancellationToken.None);
        clock.Stop();
        LastCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        LastRunId = run.Id;
        if (finished.Status != RunStatus.Succeeded)
        {
            throw new InvalidOperationException($"rolling-deploy {finished.Status}: {finished.Message}");
        }

        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _stores.DisposeAsync();
    }
}
