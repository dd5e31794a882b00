using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Tests.LoadBalancers;

/// <summary>A quarantined server (its host's rollback failed) stays out of every action but an explicit lb.ready on it.</summary>
public sealed class QuarantineControllerTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Groups = new()
    {
        ["group1"] = ["web1", "web2"],
        ["group2"] = ["web3", "web4"],
    };

    private readonly FakeLoadBalancerDriver _driver = new("web1", "web2", "web3", "web4");
    private readonly List<string> _released = [];

    private LoadBalancerController Controller(int minLiveGroups = 1) =>
        new(_driver, Groups, minLiveGroups, quarantine: new ServerQuarantine(new Dictionary<string, string> { ["web4"] = "quarantined by run r1" }, (server, _) =>
        {
            _released.Add(server);
            return Task.CompletedTask;
        }));

    [Fact]
    public async Task Restore_GroupWithQuarantinedServerDownInTheLoadBalancer_BringsTheOthersLiveNotIt()
    {
        // HAProxy reports the quarantined host down (its app is not running): before, that kept web3 out too.
        _driver.Set("web3", AdminState.Maint);
        _driver.Set("web4", AdminState.Maint, HealthState.Down);

        var status = await Controller().RestoreAsync();

        Assert.Equal(["live web3"], _driver.Calls);
        Assert.Equal(GroupState.Live, status["group2"].State);
        Assert.Equal(["web4"], status["group2"].Quarantined!);
    }

    [Fact]
    public async Task All_QuarantinedServerOut_LeavesItOutAndTheGroupCountsAsLive()
    {
        _driver.Set("web3", AdminState.Maint);
        _driver.Set("web4", AdminState.Maint);
        var progress = new List<string>();

        var status = await Controller().AllAsync(new SynchronousProgress(progress));

        Assert.Equal(["live web3"], _driver.Calls);
        Assert.Equal(["group1", "group2"], status.GroupsIn(GroupState.Live));
        Assert.Contains("lb.all: leaving web4 out: quarantined (web4: quarantined by run r1)", progress);
    }

    [Fact]
    public async Task SetLive_OnlyTheQuarantinedServersGroup_RefusedWhenItWouldLeaveNoServingServer()
    {
        // group2 is web3 (out) and the quarantined web4: making it the only live group would leave
        // just web3, which is fine; with web3 down as well nothing would serve, and the rule refuses.
        _driver.Set("web3", AdminState.Maint, HealthState.Down);
        _driver.Set("web4", AdminState.Maint);

        var ex = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().SetLiveAsync(["group2"]));

        Assert.Equal("refused: lb.live [group2] would leave 0 live groups (min_live_groups is 1): group1 would be out, group2 would be out (web3 down, web4 maint)", ex.Message);
        Assert.Empty(_driver.Calls);
    }

    [Fact]
    public async Task ReadyHost_QuarantinedServer_BringsItLiveAndReleasesIt()
    {
        _driver.Set("web4", AdminState.Maint);

        await Controller().ReadyHostAsync("web4");

        Assert.Equal(["live web4"], _driver.Calls);
        Assert.Equal(["web4"], _released);
    }

    private sealed class SynchronousProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
