using System.Collections.Concurrent;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gantry.Engine.Loading;
using GantryWorkflow = Gantry.Engine.Model.WorkflowDefinition;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using WorkflowCore.Models.LifeCycleEvents;

namespace Gantry.Benchmarks;

/// <summary>
/// The engine's own cost per step: a workflow of N no-op steps run start to finish, on Gantry
/// (in-memory store) and on WorkflowCore 3.22.0 (its default in-memory persistence).
/// Ratio is Gantry's time over WorkflowCore's (the baseline).
/// </summary>
[MemoryDiagnoser]
[QuickJob(iterationCount: 3)]
public class EngineOverheadBenchmarks
{
    // WorkflowCore's default poll interval is 10 s; the runnable poller then dominates everything.
    private static readonly TimeSpan WorkflowCorePollInterval = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _completions = new(StringComparer.Ordinal);
    private ServiceProvider? _services;
    private WorkflowEngine? _gantry;
    private InMemoryRunStore? _store;
    private GantryWorkflow? _workflow;
    private IWorkflowHost? _workflowCore;

    [Params(10, 1_000, 10_000)]
    public int Steps { get; set; }

    [GlobalSetup(Target = nameof(Gantry))]
    public void SetUpGantry()
    {
        _store = new InMemoryRunStore();
        _services = new ServiceCollection()
            .AddSingleton<IRunStore>(_store)
            .AddGantryEngine(o => o.DataDirectory = Path.Combine(Path.GetTempPath(), "gantry-bench"))
            .AddActivity<NoOpActivity>()
            .BuildServiceProvider();
        _gantry = _services.GetRequiredService<WorkflowEngine>();
        _workflow = DocumentLoader.LoadWorkflow(NoOpWorkflowYaml(Steps), "bench.yaml").GetOrThrow();
    }

    [Benchmark]
    public async Task<RunStatus> Gantry()
    {
        // Forget the previous invocations' finished runs, so they do not pile up and skew later iterations with GC work.
        await _store!.PruneAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        var run = await _gantry!.StartAsync(new StartRunRequest { Workflow = _workflow! }, CancellationToken.None);
        var finished = await _gantry.RunAsync(run.Id, CancellationToken.None);
        return finished.Status == RunStatus.Succeeded ? finished.Status : throw new InvalidOperationException($"run ended {finished.Status}: {finished.Message}");
    }

    [GlobalSetup(Target = nameof(WorkflowCore))]
    public void SetUpWorkflowCore()
    {
        _services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddWorkflow(o => o.UsePollInterval(WorkflowCorePollInterval))
            .BuildServiceProvider();
        _workflowCore = _services.GetRequiredService<IWorkflowHost>();
        _services.GetRequiredService<IWorkflowRegistry>().RegisterWorkflow(new NoOpWorkflow(Steps));
        _workflowCore.OnLifeCycleEvent += e =>
        {
            if (e is WorkflowCompleted)
            {
                Completion(e.WorkflowInstanceId).TrySetResult();
            }
        };
        _workflowCore.Start();
    }

    [Benchmark(Baseline = true)]
    public async Task WorkflowCore()
    {
        var id = await _workflowCore!.StartWorkflow(NoOpWorkflow.IdFor(Steps), 1, null);
        await Completion(id).Task.WaitAsync(TimeSpan.FromMinutes(10));
        _completions.TryRemove(id, out _);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _workflowCore?.Stop();
        _services?.Dispose();
    }

    internal static string NoOpWorkflowYaml(int steps)
    {
        var yaml = new StringBuilder($"id: noop-{steps}\nsteps:\n");
        for (var i = 1; i <= steps; i++)
        {
            yaml.Append("  - id: s").Append(i).Append("\n    uses: bench.noop\n");
        }

        return yaml.ToString();
    }

    // The completed event can arrive before StartWorkflow returns the id; whoever comes first creates the source.
    private TaskCompletionSource Completion(string id) =>
        _completions.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>A WorkflowCore step that does nothing.</summary>
    public sealed class NoOp : StepBody
    {
        public override ExecutionResult Run(IStepExecutionContext context) => ExecutionResult.Next();
    }

    /// <summary>N no-op steps built with the fluent builder: StartWith, then Then N - 1 times.</summary>
    private sealed class NoOpWorkflow(int steps) : IWorkflow
    {
        public string Id => IdFor(steps);

        public int Version => 1;

        public static string IdFor(int steps) => $"noop-{steps}";

        public void Build(IWorkflowBuilder<object> builder)
        {
            var chain = builder.StartWith<NoOp>();
            for (var i = 1; i < steps; i++)
            {
                chain = chain.Then<NoOp>();
            }
        }
    }
}
