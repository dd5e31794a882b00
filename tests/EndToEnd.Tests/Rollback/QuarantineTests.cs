using Gantry.EndToEnd.Tests.Fleet;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Rollback;

/// <summary>
/// A host whose deploy failed and whose rollback failed too is quarantined (real origin, sshd,
/// HAProxy): left in maintenance, named in the failure, the lb step outputs and status, skipped by
/// lb.restore, and brought back by a deploy that succeeds on it.
/// </summary>
public sealed class QuarantineTests
{
    private const string RestoreOnly = """
        id: restore-only
        steps:
          - id: restore
            uses: lb.restore

        """;

    [Fact]
    public async Task RollingDeploy_RestartAndRollbackFailOnOneHostOfTheSecondGroup_QuarantinesItUntilADeploySucceedsOnIt()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        var broken = fleet.Hosts.Single(h => h.Name == "web4");
        fleet.FailRestart(broken, "v3.0.1");
        fleet.FailRestart(broken, "v3.0.0");
        await File.WriteAllTextAsync(Path.Combine(fleet.WorkspaceDirectory, "workflows", "restore-only.yaml"), RestoreOnly);
        await using var engine = new FleetEngine(fleet);

        var failed = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });

        Assert.True(failed.Status == RunStatus.Failed, $"{failed.Status}: {failed.Message}\n{await fleet.DescribeAsync()}");
        Assert.Contains("ROLLING BACK TO v3.0.0 ALSO FAILED, CHECK THE HOST NOW", failed.Message, StringComparison.Ordinal);
        Assert.EndsWith(". QUARANTINED (left out of rotation until lb.ready on it or a deploy that succeeds on it): web4", failed.Message, StringComparison.Ordinal);
        Assert.Equal("web1=UP web2=UP web3=UP web4=MAINT", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        var restore = (await engine.Engine.Store.ReadJournalAsync(failed.Id, 0, CancellationToken.None))
            .Single(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "lb.restore");
        Assert.Equal(["web4"], ((IEnumerable<object?>)((IReadOnlyDictionary<string, object?>)restore.Outputs!)["quarantined"]!).Select(s => s?.ToString()));

        var status = await engine.StatusAsync();
        var web4 = status.Hosts.Single(h => h.Name == "web4");
        Assert.StartsWith($"QUARANTINED by run {failed.Id} since ", web4.Quarantine, StringComparison.Ordinal);
        Assert.Contains("ROLLING BACK TO v3.0.0 ALSO FAILED", web4.Quarantine, StringComparison.Ordinal);
        Assert.All(status.Hosts.Where(h => h.Name != "web4"), h => Assert.Null(h.Quarantine));

        // A later lb.restore (any run) still leaves it out.
        var restored = await engine.RunAsync("restore-only", []);
        Assert.True(restored.Status == RunStatus.Succeeded, restored.Message);
        Assert.Equal("web1=UP web2=UP web3=UP web4=MAINT", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));

        // Someone fixes the host; the next rollout deploys it successfully, which releases it.
        File.Delete(Path.Combine(broken.DeployRoot, "fail-restart"));
        var rollout = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });

        Assert.True(rollout.Status == RunStatus.Succeeded, $"{rollout.Message}\n{await fleet.DescribeAsync()}");
        Assert.Equal(["3.0.1", "3.0.1", "3.0.1", "3.0.1"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.All((await engine.StatusAsync()).Hosts, h => Assert.Null(h.Quarantine));
    }
}
