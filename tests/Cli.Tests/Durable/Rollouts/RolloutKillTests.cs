using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gantry.Testing.Fleet;
using Xunit.Abstractions;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// The kill test of issue #17: rolling-deploy and hotfix on the sandbox while processes sharing one store are
/// SIGKILLed at random moments (seeded; the seed is printed, GANTRY_KILL_SEED replays one). Every run must end
/// exactly once with no step instance succeeding twice and every host on the target release, and the load
/// balancer, read directly every 20 ms, must never have fewer than min_live_groups groups live nor both out.
/// </summary>
public sealed class SqliteRolloutKillTests(ITestOutputHelper output)
{
    /// <summary>SQLite: one <c>gantry serve</c> and CLI <c>gantry run</c> / <c>gantry runs signal</c> / <c>gantry runs resume</c> processes on one workspace.</summary>
    [Fact]
    public async Task ServeAndCliOnOneWorkspace_RandomKills_EveryRunOnceAndTheSiteNeverDown()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        await RolloutKillRun.RunAsync(workspace, ["serve"], 16, output);
    }
}

[Collection(PostgresCliCollection.Name)]
public sealed class PostgresRolloutKillTests(PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>PostgreSQL: <c>gantry serve</c> and two <c>gantry worker</c> on one database, runs started and signalled by CLI processes.</summary>
    [Fact]
    public async Task ServeAndTwoWorkersOnOneDatabase_RandomKills_EveryRunOnceAndTheSiteNeverDown()
    {
        var db = await postgres.CreateSchemaAsync();
        try
        {
            await using var workspace = await DurableWorkspace.CreateAsync(db);
            await RolloutKillRun.RunAsync(workspace, ["serve", "worker-a", "worker-b"], 16, output);
        }
        finally
        {
            await postgres.DropSchemaAsync(db);
        }
    }
}

/// <summary>One kill test: the nodes, the sampler, the scenario, and the assertions over the whole test.</summary>
internal static class RolloutKillRun
{
    /// <summary>On the sandbox: the repository's workflows, rolling-deploy and hotfix in turn, the sandbox load balancer's state file sampled.</summary>
    public static Task RunAsync(DurableWorkspace workspace, string[] nodeNames, int runs, ITestOutputHelper output)
    {
        workspace.CopyFromRepository("workflows");
        var stateFile = Path.Combine(workspace.Root, ".gantry", "sandbox", "sandbox.json");
        return RunAsync(workspace, new SandboxTarget(workspace), () => SandboxLoadBalancerSampler.Start(stateFile, RolloutInvariants.SandboxGroups, minLiveGroups: 1), nodeNames, runs, output);
    }

    public static async Task RunAsync(DurableWorkspace workspace, IRolloutTarget target, Func<LiveGroupsSampler> startSampler, string[] nodeNames, int runs, ITestOutputHelper output)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GANTRY_KILL_SEED"), out var given) ? given : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with GANTRY_KILL_SEED={seed})");
        var clock = Stopwatch.StartNew();
        var nodes = nodeNames.Select(name => new KillableNode(name, workspace, NodeCommand(name)).Start()).ToList();
        var scenario = new RolloutKillScenario(workspace, target, nodes, seed, line => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {line}"));
        try
        {
            await using (var sampler = startSampler())
            {
                await scenario.RunAsync(runs);
                output.WriteLine($"{runs} runs, kills {string.Join(", ", scenario.Kills.Select(k => $"{k.Key} {k.Value}"))}, {sampler.Samples} load balancer samples (longest gap {sampler.LongestGap.TotalMilliseconds:F0} ms) in {clock.Elapsed.TotalSeconds:F0} s");
                Assert.Empty(sampler.Violations);
                Assert.True(sampler.Samples >= sampler.Elapsed.TotalMilliseconds / 200, $"the sampler read the load balancer only {sampler.Samples} times in {sampler.Elapsed.TotalSeconds:F0} s");
            }

            Assert.Equal(runs, scenario.Runs.Count);
            Assert.True(scenario.Kills.Values.Sum() >= runs / 2, $"seed {seed} killed only {scenario.Kills.Values.Sum()} processes in {runs} runs");
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    private static string[] NodeCommand(string name) => name switch
    {
        "serve" => ["serve", "--urls", $"http://127.0.0.1:{FreePort()}"],
        _ => ["worker", "--node-id", name, "--poll", "100ms"],
    };

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
