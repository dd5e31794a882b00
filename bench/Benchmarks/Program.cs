using BenchmarkDotNet.Running;

namespace Gantry.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g. <c>-- --filter '*'</c>; <c>-- nodes</c>
/// runs the multi-node throughput harness instead; <c>-- rollout</c> the real-fleet rollout comparison;
/// <c>-- rollback</c> times rollout and rollback on the real fleet; <c>-- http</c> measures run-start and
/// webhook bursts against a real <c>gantry serve</c>.
/// </summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args is ["nodes"])
        {
            await NodesThroughput.RunAsync();
            return;
        }

        if (args is ["rollout", ..])
        {
            await Rollout.RolloutBench.RunAsync(args[1..]);
            return;
        }

        if (args is ["http", ..])
        {
            await Http.HttpBurstBench.RunAsync(args[1..]);
            return;
        }

        if (args is ["rollback"])
        {
            await RollbackTiming.RunAsync();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
