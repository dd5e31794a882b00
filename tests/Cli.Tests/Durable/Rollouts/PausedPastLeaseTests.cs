using System.Text.RegularExpressions;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// Issue #17 item 4: a worker frozen (SIGSTOP) in the middle of a load-balancer action for longer than its lease.
/// Another worker takes the run over once the lease expired (not before) and finishes it; when the frozen worker goes
/// on (SIGCONT) it must not journal anything nor send the command it was about to send. That the takeover comes at the
/// first poll after the expiry is shown on a fake clock (RunWorkerFencingTests.RunLoop_LeaseExpiresBetweenTwoPolls_...):
/// measured here in wall time it is the machine's load, not the poll, that decides (4.7 s seen at load 50).
/// </summary>
public sealed class PausedPastLeaseTests
{
    private const string Poll = "100ms";

    [Fact]
    public async Task WorkerPausedInsideATakeOut_NewOwnerResumesOnlyAfterTheLease_PausedOneTouchesNothingWhenContinued()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.CopyFromRepository("workflows");
        SlowSandboxLoadBalancer(workspace);
        var (exit, started) = await workspace.RunAsync("run", "rolling-deploy", "--env", "sandbox", "--detach");
        Assert.True(exit == 0, started);
        var runId = started.Trim().Split('\n')[^1].Trim();
        using var frozen = workspace.Start("worker", "--node-id", "node-a", "--poll", Poll);
        await WaitForLogAsync(workspace, runId, "lb.live [group2]: taking out web1, web2");
        var stateFile = Path.Combine(workspace.Root, ".gantry", "sandbox", "sandbox.json");
        await DurableWorkspace.WaitForAsync(
            async () => File.Exists(stateFile) && Regex.Count(await File.ReadAllTextAsync(stateFile), "\"admin\": \"Drain\"") == 2,
            TimeSpan.FromSeconds(30),
            "node-a to drain web1 and web2");

        // node-a has drained web1 and web2 and sleeps 2 s before putting them in maintenance. (Frozen between its
        // lease check and the write itself, it would still write when continued: no load balancer takes a fencing
        // token. That window is the time of one command, and is not what this test freezes.)
        await workspace.PauseOutsideStoreWriteAsync(frozen);
        var held = (await workspace.Runs.GetRunAsync(runId, CancellationToken.None))!;
        using var successor = workspace.Start("worker", "--node-id", "node-b", "--poll", Poll);
        await DurableWorkspace.WaitForAsync(
            () => Task.FromResult(successor.Output.Any(l => l.Contains("node node-b polling every", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60),
            () => $"node-b to start polling (it said: {string.Join(" | ", successor.Output)})");
        await DurableWorkspace.WaitForAsync(
            async () => (await workspace.Runs.GetRunAsync(runId, CancellationToken.None))!.IsFinished,
            TimeSpan.FromSeconds(90),
            () => $"node-b to finish run {runId} (node-b said: {string.Join(" | ", successor.Output)})");
        var journal = await workspace.JournalAsync(runId);
        var fleetBefore = await File.ReadAllTextAsync(stateFile);

        frozen.Continue();
        await DurableWorkspace.WaitForAsync(
            () => Task.FromResult(frozen.Output.Any(l => l.Contains($"node node-a stopped executing run {runId}", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30),
            () => $"node-a to stop executing run {runId} (it said: {string.Join(" | ", frozen.Output)})");

        var takeover = journal.Last(e => e.Type == JournalEventTypes.RunResumed);
        Assert.True(takeover.Time >= held.LeaseExpiresAt, $"node-b resumed the run at {takeover.Time:O}, before node-a's lease expired at {held.LeaseExpiresAt:O}");
        Assert.Equal(journal.Count, (await workspace.JournalAsync(runId)).Count);
        Assert.Equal(fleetBefore, await File.ReadAllTextAsync(stateFile));
        await RolloutInvariants.AssertRanOnceAsync(workspace, runId, "paused worker");
        await RolloutInvariants.AssertEveryHostOnAsync(workspace, await RolloutInvariants.NewestStableTagAsync(workspace), "paused worker");
        Assert.Contains("\"admin\": \"Ready\"", fleetBefore, StringComparison.Ordinal);
        Assert.DoesNotContain("\"admin\": \"Maint\"", fleetBefore, StringComparison.Ordinal);
    }

    /// <summary>The sandbox environment of the repository with a load balancer that takes 2 s per action, so a test can freeze a process inside one.</summary>
    internal static void SlowSandboxLoadBalancer(DurableWorkspace workspace)
    {
        var path = Path.Combine(workspace.Root, "workflows", "environments", "sandbox.yaml");
        var text = File.ReadAllText(path);
        Assert.Contains("simulated_delay: 150ms", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("simulated_delay: 150ms", "simulated_delay: 2s", StringComparison.Ordinal));
    }

    internal static Task WaitForLogAsync(DurableWorkspace workspace, string runId, string message) =>
        DurableWorkspace.WaitForAsync(
            async () => (await workspace.JournalAsync(runId)).Any(e => e.Type == JournalEventTypes.Log && e.Message == message),
            TimeSpan.FromSeconds(60),
            $"run {runId} to log \"{message}\"");
}
