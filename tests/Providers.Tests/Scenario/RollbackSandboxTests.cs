using Gantry.Engine.Runtime;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>rolling-deploy's failure handling and the rollback workflow on the sandbox.</summary>
public sealed class RollbackSandboxTests
{
    private const string FailingWeb3 = "vars: { sandbox_initial_release: v2.9.0, sandbox_fail_restart: [web3] }";

    [Fact]
    public async Task RollingDeploy_FailsPartWayWithRollbackOnFailure_EveryHostBackOnTheReleaseItRanBefore()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", new() { ["rollback_on_failure"] = true }, extraEnvironmentYaml: FailingWeb3);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal(
            "step deploy_out_2 (steps[6]) failed: deploy of v3.0.0 to group2 failed on web3: web3: restart command `sudo systemctl restart opensky` exited 1: simulated failure (sandbox_fail_restart); web3 is back on v2.9.0. Left on the new release: web4 on v3.0.0. To roll back: gantry rollback --env sandbox",
            finished.Message);
        var fleet = harness.Fleet(extra: FailingWeb3);
        Assert.All(fleet.Hosts.Values, h => Assert.Equal("v2.9.0", h.Current));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        var journal = await harness.JournalAsync(run.Id);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "roll_back");
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSkipped && e.StepId == "how_to_roll_back");
    }

    [Fact]
    public async Task RollingDeploy_FailsPartWayWithoutRollbackOnFailure_LogsTheRollbackCommandAndRollsNothingBack()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", extraEnvironmentYaml: FailingWeb3);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        var journal = await harness.JournalAsync(run.Id);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.Log && e.Message == "to roll back every host to the release it ran before: gantry rollback --env sandbox");
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSkipped && e.StepId == "roll_back");
        Assert.Equal("v3.0.0", harness.Fleet(extra: FailingWeb3).Hosts["web1"].Current);
    }

    [Fact]
    public async Task Rollback_AfterRollingDeploy_GroupByGroupNeverBelowOneLiveGroup()
    {
        const string start = "vars: { sandbox_initial_release: v2.9.0 }";
        using var harness = new SandboxHarness();
        var rollout = await harness.Engine.RunAsync((await harness.StartAsync("rolling-deploy", "sandbox", extraEnvironmentYaml: start)).Id, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, rollout.Status);

        var finished = await harness.Engine.RunAsync((await harness.StartAsync("rollback", "sandbox", extraEnvironmentYaml: start)).Id, CancellationToken.None);

        Assert.True(finished.Status == RunStatus.Succeeded, finished.Message);
        var fleet = harness.Fleet(extra: start);
        Assert.All(fleet.Hosts.Values, h => Assert.Equal("v2.9.0", h.Current));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        var rolledBack = (await harness.JournalAsync(finished.Id))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.rollback" && e.StepId != "check")
            .Select(e => ((IReadOnlyDictionary<string, object?>)e.Outputs!)["group"]);
        Assert.Equal(["group1", "group2"], rolledBack);
    }
}
