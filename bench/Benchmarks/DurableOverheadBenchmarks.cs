using BenchmarkDotNet.Attributes;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;
using GantryWorkflow = Gantry.Engine.Model.WorkflowDefinition;

namespace Gantry.Benchmarks;

/// <summary>
/// Gantry's per-step cost when every journal event is committed: N no-op steps start to finish
/// on the in-memory store, SQLite (WAL, temp file) and PostgreSQL (throwaway local cluster, fsync on).
/// </summary>
[MemoryDiagnoser]
[QuickJob(iterationCount: 3)]
public class DurableOverheadBenchmarks
{
    private string _dataDirectory = "";
    private PostgresFixture? _postgres;
    private StoreSet? _stores;
    private ServiceProvider? _services;
    private WorkflowEngine? _engine;
    private GantryWorkflow? _workflow;

    /// <summary>Which store the engine commits to.</summary>
    public enum Store { InMemory, Sqlite, Postgres }

    [Params(Store.InMemory, Store.Sqlite, Store.Postgres)]
    public Store RunStore { get; set; }

    [Params(10, 100, 1000)]
    public int Steps { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("gantry-bench-durable-").FullName;
        IRunStore store;
        switch (RunStore)
        {
            case Store.InMemory:
                store = new InMemoryRunStore();
                break;
            case Store.Sqlite:
                _stores = await RunStoreFactory.OpenAsync(null, _dataDirectory, TimeProvider.System, CancellationToken.None);
                store = _stores.Runs;
                break;
            default:
                _postgres = await PostgresFixture.StartAsync(durable: true);
                var db = await _postgres.CreateDatabaseAsync("gantry_bench");
                _stores = await RunStoreFactory.OpenAsync(db, _dataDirectory, TimeProvider.System, CancellationToken.None);
                store = _stores.Runs;
                break;
        }

        _services = new ServiceCollection()
            .AddSingleton(store)
            .AddGantryEngine(o => o.DataDirectory = _dataDirectory)
            .AddActivity<NoOpActivity>()
            .BuildServiceProvider();
        _engine = _services.GetRequiredService<WorkflowEngine>();
        _workflow = DocumentLoader.LoadWorkflow(EngineOverheadBenchmarks.NoOpWorkflowYaml(Steps), "bench.yaml").GetOrThrow();
    }

    [Benchmark]
    public async Task<RunStatus> Run()
    {
        var run = await _engine!.StartAsync(new StartRunRequest { Workflow = _workflow! }, CancellationToken.None);
        var finished = await _engine.RunAsync(run.Id, CancellationToken.None);
        return finished.Status == RunStatus.Succeeded ? finished.Status : throw new InvalidOperationException($"run ended {finished.Status}: {finished.Message}");
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        _services?.Dispose();
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }
}
