using Gantry.Engine.Runtime;

namespace Gantry.Providers.Tests.Scenario;

public sealed class RollingDeploySandboxTests
{
    private const string FastSandbox = "vars: { sandbox_initial_release: v2.9.0 }";

    [Fact]
    public async Task RollingDeploy_Sandbox_EveryHostOnStableAndNeverZeroLiveGroups()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", extraEnvironmentYaml: FastSandbox);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var fleet = harness.Fleet(extra: FastSandbox);
        Assert.All(fleet.Hosts.Values, h => Assert.Equal("v3.0.0", h.Current));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        Assert.Equal(
            ["drain web1,web2", "maint web1,web2", "ready web1,web2", "drain web3,web4", "maint web3,web4", "ready web3,web4"],
            fleet.History);
        var deploys = (await harness.JournalAsync(run.Id))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.release")
            .Select(e => ((IReadOnlyDictionary<string, object?>)e.Outputs!)["group"])
            .ToList();
        Assert.Equal(["all", "group1", "group2"], deploys); // staged on every host first
    }

    [Fact]
    public async Task RollingDeploy_WithACommit_BothGroupsGetTheBranchTipAsItsShortCommit()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", new Dictionary<string, object?> { ["commit"] = "develop" }, extraEnvironmentYaml: FastSandbox);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.True(finished.Status == RunStatus.Succeeded, finished.Message);
        var journal = await harness.JournalAsync(run.Id);
        var deploys = journal
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.release")
            .Select(e => (IReadOnlyDictionary<string, object?>)e.Outputs!)
            .ToList();
        var commit = (string)deploys[0]["commit"]!;
        Assert.Matches("^[0-9a-f]{40}$", commit);
        // Staged on every host from the branch, then both groups deploy the commit staging resolved.
        Assert.Equal([("all", commit[..7], "develop", commit), ("group1", commit[..7], commit, commit), ("group2", commit[..7], commit, commit)], deploys.Select(d => (d["group"], d["release"], d["ref"], d["commit"])));
        Assert.All(harness.Fleet(extra: FastSandbox).Hosts.Values, h => Assert.Equal(commit[..7], h.Current));
        Assert.DoesNotContain(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "git.latest-tag");
    }

    [Fact]
    public async Task RollingDeploy_RestartFailsOnOneHostOfSecondGroup_FailsNamingHostAndKeepsCapacity()
    {
        const string failing = "vars: { sandbox_initial_release: v2.9.0, sandbox_fail_restart: [web3] }";
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", extraEnvironmentYaml: failing);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal(
            "step deploy_out_2 (steps[6]) failed: deploy of v3.0.0 to group2 failed on web3: web3: restart command `sudo systemctl restart opensky` exited 1: simulated failure (sandbox_fail_restart); web3 is back on v2.9.0. Left on the new release: web4 on v3.0.0. To roll back: gantry rollback --env sandbox",
            finished.Message);
        var fleet = harness.Fleet(extra: failing);
        Assert.Equal("v2.9.0", fleet.Hosts["web3"].Current);
        Assert.Equal("v3.0.0", fleet.Hosts["web1"].Current);
        Assert.True(fleet.MinLiveGroupsSeen >= 1);
        var journal = await harness.JournalAsync(run.Id);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "lb.restore");
    }

    [Fact]
    public async Task RollingDeploy_HostOfFirstGroupDown_RollsThatHostBackAndFailsNamingIt()
    {
        const string down = "vars: { sandbox_initial_release: v2.9.0, sandbox_down: [web2] }";
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("rolling-deploy", "sandbox", extraEnvironmentYaml: down);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal(
            "step deploy_out_1 (steps[4]) failed: deploy of v3.0.0 to group1 failed on web2: web2: health check failed after the restart: simulated (sandbox_down); web2 is back on v2.9.0. Left on the new release: web1 on v3.0.0. To roll back: gantry rollback --env sandbox",
            finished.Message);
        var fleet = harness.Fleet(extra: down);
        Assert.Equal(
            [("web1", "v3.0.0"), ("web2", "v2.9.0"), ("web3", "v2.9.0"), ("web4", "v2.9.0")],
            fleet.Hosts.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value.Current)));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        var journal = await harness.JournalAsync(run.Id);
        Assert.DoesNotContain(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "flip");
        Assert.Contains(journal, e => e.Type == JournalEventTypes.Log && e.Host == "web2" && e.Message == "health check failed; back on v2.9.0");
    }
}
