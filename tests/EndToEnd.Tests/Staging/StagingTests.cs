using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Rollback;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Staging;

/// <summary>
/// The rollout's staging phase on the real fleet (HAProxy, OpenSSH hosts, node apps): every host of
/// every group gets the release while all groups serve, and a group out of rotation only switches,
/// restarts and checks health.
/// </summary>
public sealed class StagingTests
{
    [Fact]
    public async Task RollingDeploy_UnderLoad_StagesEveryHostBeforeAnyGroupGoesOutAndDeploysTheStagedRelease()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        await using var engine = new FleetEngine(fleet);

        await using var load = fleet.StartLoad();
        var run = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        var traffic = await load.StopAsync();

        Assert.True(run.Status == RunStatus.Succeeded, run.Message + "\n" + await fleet.DescribeAsync());
        var journal = await engine.Engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        var staged = journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "stage");
        var firstBalancerChange = journal.First(e => e.Type == JournalEventTypes.StepStarted && e.Activity?.StartsWith("lb.", StringComparison.Ordinal) == true);
        Assert.True(staged.Sequence < firstBalancerChange.Sequence, $"{firstBalancerChange.StepId} started before the staging finished");
        Assert.Equal(
            fleet.Hosts.Select(h => $"{h.Name}: staged v3.0.1").Order(StringComparer.Ordinal),
            Logs(journal, "stage").Where(l => l.Contains("staged v3.0.1", StringComparison.Ordinal)).Select(l => l[..(l.IndexOf(" (commit", StringComparison.Ordinal))]).Order(StringComparer.Ordinal));
        foreach (var (step, group) in new[] { ("deploy_out_1", "group1"), ("deploy_out_2", "group2") })
        {
            Assert.All(fleet.HostsOf(group), h => Assert.Matches(
                $@"^{h.Name}: now on v3\.0\.1 \(staged at \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ by run {run.Id}; not fetched again\)$",
                Assert.Single(Logs(journal, step), l => l.StartsWith(h.Name + ": now on", StringComparison.Ordinal))));
        }

        Assert.Contains(Logs(journal, "flip"), l => l.Contains("Gantry's own health check passed just now", StringComparison.Ordinal));
        Assert.Equal(["3.0.1", "3.0.1", "3.0.1", "3.0.1"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.All(fleet.Hosts, h => Assert.False(File.Exists(Path.Combine(h.DeployRoot, "releases", "v3.0.1", ".gantry-staged")), $"{h.Name}: v3.0.1 went live but is still marked staged"));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.True(traffic.Sent > 0, "the load loop sent no request during the rollout");
        Assert.Equal([], traffic.Failures);
    }

    [Fact]
    public async Task StagedRelease_OriginGoneBeforeTheGroupsGoOut_DeployedFromTheStagedTreeWithoutASecondFetch()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        await File.WriteAllTextAsync(Path.Combine(fleet.WorkspaceDirectory, "workflows", "stage-then-roll.yaml"), $$"""
            id: stage-then-roll
            name: Stage, lose origin, then roll out group by group
            steps:
              - id: stage
                uses: deploy.release
                with: { target: all, stage: true, tag: v3.0.1 }
              - id: origin_gone
                uses: shell.local
                with: { command: [mv, "{{fleet.OriginPath}}", "{{fleet.OriginPath}}.gone"] }
              - uses: lb.live
                with: { groups: [group2] }
              - id: deploy_out_1
                uses: deploy.release
                with: { target: out, tag: v3.0.1 }
              - id: flip
                uses: lb.flip
              - id: deploy_out_2
                uses: deploy.release
                with: { target: out, tag: v3.0.1 }
              - uses: lb.all

            """);
        await using var engine = new FleetEngine(fleet);

        var run = await engine.RunAsync("stage-then-roll", []);

        Assert.True(run.Status == RunStatus.Succeeded, run.Message + "\n" + await fleet.DescribeAsync());
        Assert.False(Directory.Exists(fleet.OriginPath), "origin is still there: the test proves nothing");
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.1", fleet.CurrentReleaseOf(h)));
        Assert.Equal(["3.0.1", "3.0.1", "3.0.1", "3.0.1"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        var journal = await engine.Engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(4, Logs(journal, "deploy_out_1").Concat(Logs(journal, "deploy_out_2")).Count(l => l.EndsWith($"by run {run.Id}; not fetched again)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RollingDeploy_StagingFailsOnOneHost_FailsBeforeAnyLoadBalancerChangeAndEveryGroupStaysLive()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        // web3 is unreachable over SSH (nothing listens on its SSH port) but its app serves.
        var unreachable = fleet.Hosts.Single(h => h.Name == "web3");
        var environment = await File.ReadAllTextAsync(fleet.EnvironmentPath);
        var closedPort = FleetCommand.FreePort(unreachable.Address);
        await File.WriteAllTextAsync(fleet.EnvironmentPath, environment.Replace($"  web3: {{ address: {unreachable.Address}, ", $"  web3: {{ address: {unreachable.Address}, port: {closedPort}, ", StringComparison.Ordinal));
        await using var engine = new FleetEngine(fleet);
        await using var load = fleet.StartLoad();
        await using var sampler = HAProxySampler.Start(fleet);
        var run = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        var samples = await sampler.StopAsync();
        var traffic = await load.StopAsync();

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith($"step stage (steps[2]) failed: staging of v3.0.1 failed on web3: Staging of v3.0.1 on web3 (127.0.0.4:{closedPort}) failed while connecting; nothing was changed on the host.", run.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            ". Nothing was taken out of rotation: no host was switched or restarted and the load balancer was not changed; web1, web2, web4 keep v3.0.1 staged, unused (pruned by keep_releases unless a deploy uses it)",
            run.Message, StringComparison.Ordinal);
        Assert.True(samples.Count >= 2, $"only {samples.Count} samples of HAProxy during the run");
        Assert.All(samples, sample => Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(sample.ToDictionary(s => s.Key, s => s.Value.Status))));
        var journal = await engine.Engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.DoesNotContain(journal, e => e.Type == JournalEventTypes.StepStarted && e.Activity?.StartsWith("lb.", StringComparison.Ordinal) == true);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSkipped && e.Path == "on_failure[0]");
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal([], traffic.Failures);

        // The staged v3.0.1 never went live: once web3 is back, the next rollout's pruning removes it although keep_releases (5) would keep it.
        Assert.True(File.Exists(Path.Combine(fleet.Hosts[0].DeployRoot, "releases", "v3.0.1", ".gantry-staged")), "web1 has no staged v3.0.1");
        await File.WriteAllTextAsync(fleet.EnvironmentPath, environment);
        await fleet.PublishReleaseAsync("3.0.2");
        var next = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        Assert.True(next.Status == RunStatus.Succeeded, next.Message);
        Assert.All(fleet.Hosts, h => Assert.Equal(["v3.0.0", "v3.0.2"], Directory.GetDirectories(Path.Combine(h.DeployRoot, "releases")).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
    }

    /// <summary>The log lines of one step, as "host: message" (or the message alone for a step-wide line).</summary>
    internal static IReadOnlyList<string> Logs(IReadOnlyList<JournalEvent> journal, string stepId)
    {
        var paths = journal.Where(e => e.Type == JournalEventTypes.StepStarted && e.StepId == stepId).Select(e => e.Path).ToHashSet();
        return journal.Where(e => e.Type == JournalEventTypes.Log && paths.Contains(e.Path))
            .Select(e => e.Host is null ? e.Message ?? "" : $"{e.Host}: {e.Message}").ToList();
    }
}
