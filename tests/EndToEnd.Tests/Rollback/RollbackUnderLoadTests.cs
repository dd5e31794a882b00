using Gantry.EndToEnd.Tests.Fleet;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Rollback;

/// <summary>The repository's rollback workflow on the real fleet (HAProxy, OpenSSH hosts, node apps) while a client keeps requesting the site.</summary>
public sealed class RollbackUnderLoadTests
{
    [Fact]
    public async Task Rollback_AfterRolloutUnderLoad_EveryHostOnThePreviousReleaseEveryServerUpAndNoFailedRequest()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { InitialTag = "v2.9.0" });
        await using var engine = new FleetEngine(fleet);
        var rollout = await engine.RunAsync("rolling-deploy", new() { ["ref"] = "stable" });
        Assert.True(rollout.Status == RunStatus.Succeeded, rollout.Message);
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));

        await using var load = fleet.StartLoad();
        var rollback = await engine.RunAsync("rollback", []);
        var result = await load.StopAsync();

        Assert.True(rollback.Status == RunStatus.Succeeded, rollback.Message);
        Assert.All(fleet.Hosts, h => Assert.Equal("v2.9.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal(["2.9.0", "2.9.0", "2.9.0", "2.9.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.True(result.Sent > 0, "the load loop sent no request during the rollback");
        Assert.Equal([], result.Failures);
    }
}
