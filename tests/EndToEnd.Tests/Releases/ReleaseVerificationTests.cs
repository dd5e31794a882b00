using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Rollback;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>
/// The deploy checks that each host serves the release it deployed (the fleet's environment has
/// health.expect_release: true): real origin, real sshd, HAProxy, the node app reporting opensky.version.
/// </summary>
public sealed class ReleaseVerificationTests
{
    [Fact]
    public async Task RollingDeploy_TagWhoseAppStillReportsTheOldVersion_FailsNamingTheHostsAndRollsThemBack()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishUnbumpedReleaseAsync("3.0.1", configuredVersion: "3.0.0");
        await using var engine = new FleetEngine(fleet);

        var run = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });

        Assert.True(run.Status == RunStatus.Failed, $"{run.Status}: {run.Message}\n{await fleet.DescribeAsync()}");
        var group1 = fleet.HostsOf("group1");
        Assert.StartsWith($"step deploy_out_1 (steps[", run.Message, StringComparison.Ordinal);
        Assert.Contains($"failed: deploy of v3.0.1 to group1 failed on {string.Join(", ", group1.Select(h => h.Name))}: ", run.Message, StringComparison.Ordinal);
        foreach (var host in group1)
        {
            Assert.Contains(
                $"Deploy of v3.0.1 to {host.Name} ({host.Address}:{fleet.SshPort}) failed while checking health; rolled back to v3.0.0.\n"
                + $"Health check of {host.Name} ({host.Address}:{fleet.SshPort}) failed after 200 attempts (50 ms apart): "
                + $"GET http://{host.Address}:{host.Port}/health answered 200 but does not name v3.0.1 (or 3.0.1): it serves '3.0.0'.",
                run.Message,
                StringComparison.Ordinal);
        }

        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
    }
}
