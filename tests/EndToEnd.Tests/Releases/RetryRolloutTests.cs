using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Rollback;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>
/// A rollout that failed on one host (its restart broken, then fixed by an operator) is retried in the same run on
/// the real fleet (origin, OpenSSH hosts, HAProxy) under load: it goes on from the flip, so the first group is not
/// deployed again, and ends with every host on the release and no request failed.
/// </summary>
public sealed class RetryRolloutTests
{
    [Fact]
    public async Task Retry_RolloutThatFailedOnOneHostOfTheSecondGroup_FinishesFromTheFlipWithoutRedeployingTheFirstGroup()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        var broken = fleet.Hosts.Single(h => h.Name == "web4");
        fleet.FailRestart(broken, "v3.0.1");
        await using var engine = new FleetEngine(fleet);
        await using var load = fleet.StartLoad();

        var failed = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        Assert.True(failed.Status == RunStatus.Failed, $"{failed.Status}: {failed.Message}\n{await fleet.DescribeAsync()}");
        Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(broken));
        var group1Revisions = fleet.HostsOf("group1").Select(Revisions).ToList();

        // The operator fixes the host, then retries the run.
        File.Delete(Path.Combine(broken.DeployRoot, "fail-restart"));
        var (pending, point) = await engine.Engine.RetryAsync(failed.Id, from: null, by: "operator", CancellationToken.None);
        var finished = await engine.Engine.RunAsync(failed.Id, CancellationToken.None);
        var traffic = await load.StopAsync();

        Assert.Equal((RunStatus.Pending, "flip"), (pending.Status, point.StepId));
        Assert.True(finished.Status == RunStatus.Succeeded, $"{finished.Status}: {finished.Message}\n{await fleet.DescribeAsync()}");
        Assert.Equal(failed.Id, finished.Id);
        Assert.Equal(["3.0.1", "3.0.1", "3.0.1", "3.0.1"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.1", fleet.CurrentReleaseOf(h)));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.True(traffic.Sent > 0, "the load loop sent no request during the rollout and its retry");
        Assert.Equal([], traffic.Failures);

        // The first group was deployed once: its step ran once, and its hosts' current release was not switched again.
        var journal = await engine.Engine.Store.ReadJournalAsync(failed.Id, 0, CancellationToken.None);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "deploy_out_1");
        Assert.Equal(2, journal.Count(e => e.Type == JournalEventTypes.StepStarted && e.StepId == "deploy_out_2"));
        Assert.Equal(group1Revisions, fleet.HostsOf("group1").Select(Revisions));
        Assert.All(group1Revisions, log => Assert.Contains("v3.0.1", log, StringComparison.Ordinal));
        Assert.Equal("operator", Assert.Single(journal, e => e.Type == JournalEventTypes.RunRetried).Actor);
    }

    /// <summary>The host's revisions.log: one line per switch of its current release.</summary>
    private static string Revisions(FleetHost host) => File.ReadAllText(Path.Combine(host.DeployRoot, "revisions.log"));
}
