using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Rollback;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>The repository's rolling-deploy on the real fleet while slow requests are in flight on every host.</summary>
public sealed class DrainUnderLoadTests
{
    [Fact]
    public async Task RollingDeploy_SlowRequestsInFlightOnEveryHost_NoneCutAndEveryHostOnTheNewRelease()
    {
        // Every second request takes one second: each host has several in flight when its group is drained, and a
        // restart that did not wait for them would cut them (SteadyLoadTests shows a cut one counts as failed).
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { InitialTag = "v2.9.0", SlowRequestEvery = 2 });
        await using var engine = new FleetEngine(fleet);

        await using var load = fleet.StartSteadyLoad();
        var rollout = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        var result = await load.StopAsync();

        Assert.True(rollout.Status == RunStatus.Succeeded, rollout.Message);
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.True(load.SlowSent > 0, "the load started no slow request during the rollout");
        Assert.Equal([], result.Failures);
    }
}
