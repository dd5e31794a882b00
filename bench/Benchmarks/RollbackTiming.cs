using System.Diagnostics;
using Gantry.Benchmarks.Rollout;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Benchmarks -- rollback</c>: on the real fleet (HAProxy,
/// OpenSSH hosts, node apps on loopback) in the issue's shape (<see cref="IssueFleet"/>), for 2 groups
/// of 2 and of 5 hosts, times the repository's rolling-deploy (v2.9.0 → stable v3.0.0) and then its
/// rollback (back to v2.9.0) under the issue's load (<see cref="SteadyLoad"/>) throughout the rollback,
/// and prints one Markdown row per fleet size.
/// </summary>
public static class RollbackTiming
{
    public static async Task RunAsync()
    {
        using var shape = await IssueFleet.CreateAsync();
        Console.WriteLine($"rollback, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| fleet | rollout (rolling-deploy) | rollback (rollback.yaml) | requests during rollback (slow) | failed |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var perGroup in new[] { 2, 5 })
        {
            Console.WriteLine(await MeasureAsync(shape.Options(perGroup, initialTag: "v2.9.0")));
        }

        Console.WriteLine($"load at the end {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static async Task<string> MeasureAsync(RealFleetOptions options)
    {
        await using var fleet = await RealFleet.StartAsync(options);
        var data = Directory.CreateTempSubdirectory("gantry-bench-rollback-").FullName;
        try
        {
            await using var services = new ServiceCollection().AddGantryEngine(o => o.DataDirectory = data).AddGantryProviders().BuildServiceProvider();
            var engine = services.GetRequiredService<WorkflowEngine>();
            var rollout = await TimeAsync(engine, fleet, "rolling-deploy", new() { ["ref"] = "stable" });
            await using var load = fleet.StartSteadyLoad();
            var rollback = await TimeAsync(engine, fleet, "rollback", []);
            var result = await load.StopAsync();
            foreach (var failure in result.Failures.Take(5))
            {
                Console.Error.WriteLine($"  failed request: {failure}");
            }

            return $"| 2 × {options.HostsPerGroup} | {rollout.TotalSeconds:0.0} s | {rollback.TotalSeconds:0.0} s | {result.Sent} ({load.SlowSent}) | {result.Failed} |";
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<TimeSpan> TimeAsync(WorkflowEngine engine, RealFleet fleet, string workflowId, Dictionary<string, object?> inputs)
    {
        var library = new WorkspaceCatalog(fleet.WorkspaceDirectory).LoadWorkflows();
        var text = await File.ReadAllTextAsync(fleet.EnvironmentPath);
        var watch = Stopwatch.StartNew();
        var run = await engine.StartAsync(new StartRunRequest
        {
            Workflow = library[workflowId],
            Library = library,
            Environment = DocumentLoader.LoadEnvironment(text, fleet.EnvironmentPath).GetOrThrow(),
            EnvironmentText = text,
            Inputs = inputs,
        }, CancellationToken.None);
        var finished = await engine.RunAsync(run.Id, CancellationToken.None);
        watch.Stop();
        return finished.Status == RunStatus.Succeeded
            ? watch.Elapsed
            : throw new InvalidOperationException($"{workflowId} ended {finished.Status}: {finished.Message}");
    }
}
