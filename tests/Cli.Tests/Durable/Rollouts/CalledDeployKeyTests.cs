using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// The hotfix's workflow.call of rolling-deploy takes rolling-deploy's <c>deploy-{env}</c> key, with real processes on
/// the sandbox (<c>gantry serve</c> and CLI processes on one SQLite store): it waits while a rolling-deploy holds the
/// key, and a caller that already holds the key (as deploy-testing does) does not wait for itself.
/// </summary>
public sealed class CalledDeployKeyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task HotfixReachesItsDeployWhileARollingDeployHoldsTheKey_WaitsForItsEnd_TheDeploysNeverOverlap()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.CopyFromRepository("workflows");
        using var serve = new KillableNode("serve", workspace, ["serve", "--urls", $"http://127.0.0.1:{RolloutKillRun.FreePort()}"]).Start();
        var hotfixId = await StartDetachedAsync(workspace, "run", "hotfix", "--env", "sandbox", "--detach");
        var branch = await HotfixReview.BranchAsync(workspace, hotfixId, () => string.Join(" | ", serve.Output));

        // A rolling-deploy that holds deploy-sandbox for as long as the test wants: its tag does not exist, and it asks
        // an operator what to do (on_error: ask) instead of failing.
        var deployId = await StartDetachedAsync(workspace, "run", "rolling-deploy", "--env", "sandbox", "--detach", "--input", "ref=v9.9.9", "--input", "ask_on_error=true");
        await WaitForAsync(workspace, async () => (await workspace.Runs.GetRunAsync(deployId, CancellationToken.None))!.Status == RunStatus.Waiting, $"run {deployId} to ask about its missing tag", serve);
        using var signal = workspace.Start("runs", "signal", hotfixId, "pull_request", "--merged-into", branch);
        var queued = $"workflow.call rolling-deploy: queued behind run {deployId}, which holds concurrency key 'deploy-sandbox'";
        await WaitForAsync(workspace, async () => (await workspace.JournalAsync(hotfixId)).Any(e => e.Message == queued), $"run {hotfixId} to log \"{queued}\"", serve, signal);

        var (_, answered) = await workspace.RunAsync("runs", "answer", deployId, "abort");
        Assert.Contains($"answered abort to run {deployId}", answered, StringComparison.Ordinal);
        await WaitForAsync(workspace, async () => (await workspace.Runs.GetRunAsync(hotfixId, CancellationToken.None))!.IsFinished, $"run {hotfixId} to finish", serve, signal);

        var deployJournal = await workspace.JournalAsync(deployId);
        var deployEnd = Assert.Single(deployJournal, e => e.Type == JournalEventTypes.RunFinished);
        Assert.Equal(RunStatus.Failed, deployEnd.Status);
        var hotfixJournal = await workspace.JournalAsync(hotfixId);
        var call = Assert.Single(hotfixJournal, e => e.Type == JournalEventTypes.StepStarted && e.Activity == "workflow.call:rolling-deploy");
        var calleeSteps = hotfixJournal.Where(e => e.Type == JournalEventTypes.StepStarted && e.Path!.StartsWith(call.Path + "/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(calleeSteps);
        Assert.True(calleeSteps[0].Time >= deployEnd.Time, $"the hotfix's deploy started its first step at {calleeSteps[0].Time:O}, before run {deployId} ended at {deployEnd.Time:O}");
        Assert.Contains(hotfixJournal, e => e.Message == "workflow.call rolling-deploy: took concurrency key 'deploy-sandbox'");
        await RolloutInvariants.AssertRanOnceAsync(workspace, hotfixId, "hotfix queued behind a rolling-deploy");
        await new SandboxTarget(workspace).AssertEveryHostOnTargetAsync("hotfix queued behind a rolling-deploy");
    }

    [Fact]
    public async Task CallerHoldsDeployKey_CallsRollingDeploy_TheCalleeInheritsTheKeyAndTheRunEnds()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.CopyFromRepository("workflows");
        // As deploy-testing does (it needs a smoke URL the sandbox has not): the caller holds deploy-{env} itself.
        workspace.Write("workflows/guarded-deploy.yaml", """
            id: guarded-deploy
            concurrency: "deploy-{{ env.id }}"
            steps:
              - id: rolling
                uses: workflow.call
                with: { workflow: rolling-deploy }
            """);

        var (exit, output) = await workspace.RunAsync("run", "guarded-deploy", "--env", "sandbox");

        Assert.True(exit == 0, $"gantry run guarded-deploy exited {exit}: {output}");
        var run = Assert.Single(await workspace.Runs.ListRunsAsync(new RunQuery { Limit = 10 }, CancellationToken.None));
        await RolloutInvariants.AssertRanOnceAsync(workspace, run.Id, "caller holding deploy-sandbox");
        Assert.DoesNotContain(await workspace.JournalAsync(run.Id), e => e.Message?.Contains("queued behind", StringComparison.Ordinal) == true);
        await new SandboxTarget(workspace).AssertEveryHostOnTargetAsync("caller holding deploy-sandbox");
    }

    /// <summary>Starts a detached run with the CLI; returns its id (the last line it prints).</summary>
    private static async Task<string> StartDetachedAsync(DurableWorkspace workspace, params string[] args)
    {
        var (exit, output) = await workspace.RunAsync(args);
        Assert.True(exit == 0, $"gantry {string.Join(' ', args)} exited {exit}: {output}");
        return output.Trim().Split('\n')[^1].Trim();
    }

    private static Task WaitForAsync(DurableWorkspace workspace, Func<Task<bool>> done, string what, KillableNode serve, GantryProcess? cli = null) =>
        DurableWorkspace.WaitForAsync(done, Deadline, () => $"{what} (serve said: {string.Join(" | ", serve.Output.TakeLast(30))}; cli said: {string.Join(" | ", cli?.Output ?? [])}; workspace {workspace.Root})");
}
