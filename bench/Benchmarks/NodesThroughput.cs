using System.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Benchmarks;

/// <summary>
/// <c>-- nodes</c>: runs per second that 1 and 3 <see cref="RunWorker"/> nodes start and finish
/// from one shared durable store. Each node is its own engine, store instance and worker with
/// its own node id; all nodes live in this one process. The runs (3 no-op steps) are created
/// first, then the clock runs from starting the workers until the store shows all of them succeeded.
/// </summary>
internal static class NodesThroughput
{
    private const int Runs = 60;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync()
    {
        var workflow = DocumentLoader.LoadWorkflow(EngineOverheadBenchmarks.NoOpWorkflowYaml(3), "bench.yaml").GetOrThrow();
        var root = Directory.CreateTempSubdirectory("gantry-bench-nodes-").FullName;
        await using (var postgres = await PostgresFixture.StartAsync(durable: true))
        {
            foreach (var nodes in new[] { 1, 3 })
            {
                var db = await postgres.CreateDatabaseAsync($"gantry_nodes_{nodes}");
                await MeasureAsync("postgresql", db, root, nodes, workflow);
            }
        }

        foreach (var nodes in new[] { 1, 3 })
        {
            await MeasureAsync("sqlite", Path.Combine(root, $"nodes-{nodes}.db"), root, nodes, workflow);
        }

        Directory.Delete(root, recursive: true);
    }

    private static async Task MeasureAsync(string storeName, string db, string root, int nodeCount, Gantry.Engine.Model.WorkflowDefinition workflow)
    {
        var nodes = new List<Node>();
        for (var i = 0; i < nodeCount; i++)
        {
            nodes.Add(await Node.OpenAsync(db, root, $"node-{i + 1}"));
        }

        try
        {
            for (var i = 0; i < Runs; i++)
            {
                await nodes[0].Engine.StartAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None);
            }

            using var stop = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var workers = nodes.Select(n => n.Worker.RunAsync(stop.Token)).ToList();
            var done = 0;
            while (done < Runs)
            {
                await Task.Delay(10);
                var finished = await nodes[0].Stores.Runs.ListRunsAsync(new RunQuery { Statuses = [RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled], Limit = Runs * 2 }, CancellationToken.None);
                done = finished.Count;
            }

            var elapsed = clock.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            var succeeded = (await nodes[0].Stores.Runs.ListRunsAsync(new RunQuery { Statuses = [RunStatus.Succeeded], Limit = Runs * 2 }, CancellationToken.None)).Count;
            Console.WriteLine($"{storeName,-10} {nodeCount} node(s): {Runs} runs ({succeeded} succeeded) in {elapsed.TotalSeconds:F2} s = {Runs / elapsed.TotalSeconds:F1} runs/s");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>One node: its own store instance, engine (no in-process resume) and worker.</summary>
    private sealed class Node(StoreSet stores, ServiceProvider services, RunWorker worker) : IAsyncDisposable
    {
        public StoreSet Stores { get; } = stores;

        public WorkflowEngine Engine { get; } = services.GetRequiredService<WorkflowEngine>();

        public RunWorker Worker { get; } = worker;

        public static async Task<Node> OpenAsync(string db, string root, string nodeId)
        {
            var stores = await RunStoreFactory.OpenAsync(db, root, TimeProvider.System, CancellationToken.None);
            var services = new ServiceCollection()
                .AddSingleton(stores.Runs)
                .AddGantryEngine(o =>
                {
                    o.DataDirectory = root;
                    o.ResumeInProcess = false;
                    o.NodeId = nodeId;
                })
                .AddActivity<NoOpActivity>()
                .BuildServiceProvider();
            var engine = services.GetRequiredService<WorkflowEngine>();
            var worker = new RunWorker(engine, stores.Leases, new RunWorkerOptions { NodeId = nodeId, PollInterval = PollInterval });
            return new Node(stores, services, worker);
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await Stores.DisposeAsync();
        }
    }
}
