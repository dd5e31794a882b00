using System.Text;
using BenchmarkDotNet.Attributes;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Benchmarks;

/// <summary>
/// A foreach over 200 hosts (two groups of 100) with max_parallel 50 on the sandbox providers:
/// each iteration a real <c>deploy.release</c> of one host (the sandbox fleet rewrites its JSON
/// state file on every change), against the same loop with a no-op body (the engine alone).
/// </summary>
[MemoryDiagnoser]
[QuickJob(iterationCount: 5, invocationCount: 1)]
public class ForeachBenchmarks
{
    private const int HostsPerGroup = 100;
    private string _dataDirectory = "";
    private ServiceProvider? _services;
    private WorkflowEngine? _engine;
    private InMemoryRunStore? _store;
    private EnvironmentDefinition? _environment;
    private string _environmentText = "";
    private WorkflowDefinition? _deploy;
    private WorkflowDefinition? _noOp;

    [GlobalSetup]
    public void SetUp()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("gantry-bench-foreach-").FullName;
        _store = new InMemoryRunStore();
        _services = new ServiceCollection()
            .AddSingleton<IRunStore>(_store)
            .AddGantryEngine(o => o.DataDirectory = _dataDirectory)
            .AddGantryProviders()
            .AddActivity<NoOpActivity>()
            .BuildServiceProvider();
        _engine = _services.GetRequiredService<WorkflowEngine>();
        _environmentText = SandboxEnvironmentYaml();
        _environment = DocumentLoader.LoadEnvironment(_environmentText, "bench-sandbox.yaml").GetOrThrow();
        _deploy = DocumentLoader.LoadWorkflow(ForeachYaml("foreach-deploy", "uses: deploy.release\n        with: { hosts: [\"{{ host.name }}\"], tag: v3.0.1, allow_live: true }"), "foreach-deploy.yaml").GetOrThrow();
        _noOp = DocumentLoader.LoadWorkflow(ForeachYaml("foreach-noop", "uses: bench.noop"), "foreach-noop.yaml").GetOrThrow();
    }

    /// <summary>Every iteration starts from a fresh fleet (no release history) and an empty store.</summary>
    [IterationSetup]
    public void ResetFleet()
    {
        var sandbox = Path.Combine(_dataDirectory, "sandbox");
        if (Directory.Exists(sandbox))
        {
            Directory.Delete(sandbox, recursive: true);
        }

        // The in-memory store answers at once; pruning here keeps finished runs from piling up and skewing later iterations with GC work.
        _store!.PruneAsync(DateTimeOffset.MaxValue, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task<RunStatus> DeployRelease() => RunAsync(_deploy!);

    [Benchmark(Baseline = true)]
    public Task<RunStatus> NoOpBody() => RunAsync(_noOp!);

    [GlobalCleanup]
    public void CleanUp()
    {
        _services?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private async Task<RunStatus> RunAsync(WorkflowDefinition workflow)
    {
        var run = await _engine!.StartAsync(new StartRunRequest { Workflow = workflow, Environment = _environment, EnvironmentText = _environmentText }, CancellationToken.None);
        var finished = await _engine.RunAsync(run.Id, CancellationToken.None);
        return finished.Status == RunStatus.Succeeded ? finished.Status : throw new InvalidOperationException($"run ended {finished.Status}: {finished.Message}");
    }

    private static IEnumerable<string> HostNames(int group) =>
        Enumerable.Range(1, HostsPerGroup).Select(i => $"g{group}web{i}");

    private static string ForeachYaml(string id, string body) =>
        $"""
        id: {id}
        steps:
          - id: roll
            foreach: [{string.Join(", ", HostNames(1).Concat(HostNames(2)))}]
            max_parallel: 50
            steps:
              - id: one
                {body}
        """;

    private static string SandboxEnvironmentYaml()
    {
        var yaml = new StringBuilder("""
            id: bench-sandbox
            repository: { url: sandbox }
            load_balancer: { provider: sandbox, backend: web, min_live_groups: 1, simulated_delay: 0s }
            deploy: { source: sandbox, root: /srv/app, restart: "true", simulated_delay: 0s }
            groups:

            """);
        foreach (var group in new[] { 1, 2 })
        {
            yaml.Append("  group").Append(group).Append(": { hosts: [").Append(string.Join(", ", HostNames(group))).Append("] }\n");
        }

        yaml.Append("hosts:\n");
        var octet = 10;
        foreach (var host in HostNames(1).Concat(HostNames(2)))
        {
            yaml.Append("  ").Append(host).Append(": { address: 127.0.").Append(octet / 250).Append('.').Append((octet % 250) + 1).Append(" }\n");
            octet++;
        }

        return yaml.ToString();
    }
}
