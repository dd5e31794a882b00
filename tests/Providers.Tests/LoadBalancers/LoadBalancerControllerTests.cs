using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Tests.LoadBalancers;

/// <summary>Controller rules against an in-memory driver; the same actions against HAProxy are in HAProxy/.</summary>
public sealed class LoadBalancerControllerTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Groups = new()
    {
        ["group1"] = ["web1", "web2"],
        ["group2"] = ["web3", "web4"],
    };

    private readonly FakeLoadBalancerDriver _driver = new("web1", "web2", "web3", "web4");

    private LoadBalancerController Controller(int minLiveGroups = 1) => new(_driver, Groups, minLiveGroups);

    [Fact]
    public void Constructor_InvalidGroups_ReportsEveryProblem()
    {
        var groups = new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["web1"], ["b"] = [], ["c"] = ["web1"] };

        var error = Assert.Throws<ArgumentException>(() => new LoadBalancerController(_driver, groups, minLiveGroups: 4));

        Assert.Equal(
            "group \"b\" has no servers\n" +
            "server \"web1\" is in more than one group (a, c); a server belongs to exactly one group\n" +
            "min_live_groups is 4; expected a number from 0 to 3 (the number of groups) (Parameter 'groups')",
            error.Message.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SetLive_OtherGroupLive_BringsWantedLiveBeforeTakingOthersOut()
    {
        _driver.Set("web1", AdminState.Maint);
        _driver.Set("web2", AdminState.Maint);

        var status = await Controller().SetLiveAsync(["group1"]);

        Assert.Equal(["live web1,web2", "out web3,web4"], _driver.Calls);
        Assert.Equal([GroupState.Live, GroupState.Out], status.Groups.Select(g => g.State));
    }

    [Fact]
    public async Task SetLive_WantedGroupHasDownServer_RefusedAndNothingTouched()
    {
        _driver.Set("web1", AdminState.Drain, HealthState.Down);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().SetLiveAsync(["group1"]));

        Assert.Equal(
            "refused: lb.live [group1] would leave 0 live groups (min_live_groups is 1): group1 would be inconsistent (web1 down), group2 would be out",
            error.Message);
        Assert.Empty(_driver.Calls);
    }

    [Fact]
    public async Task SetLive_UnknownGroup_NamesKnownGroups()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Controller().SetLiveAsync(["group9"]));

        Assert.Equal("lb.live: unknown group \"group9\"; known groups are group1, group2 (Parameter 'groups')", error.Message);
    }

    [Fact]
    public async Task DrainHost_LastLiveGroup_RefusedNamingInconsistentGroup()
    {
        _driver.Set("web1", AdminState.Drain);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().DrainHostAsync("web3"));

        Assert.Equal(
            "refused: lb.drain web3 would leave 0 live groups (min_live_groups is 1): group1 is inconsistent (web1 drain), group2 would be inconsistent (web3 maint)",
            error.Message);
        Assert.Empty(_driver.Calls);
    }

    [Fact]
    public async Task Flip_BothGroupsLive_ErrorNamesStates()
    {
        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().FlipAsync());

        Assert.Equal("lb.flip needs exactly one live and one out group, found: group1 is live, group2 is live", error.Message);
        Assert.Empty(_driver.Calls);
    }

    [Fact]
    public async Task Flip_OneLiveOneOut_OutGroupComesLiveFirst()
    {
        _driver.Set("web3", AdminState.Maint);
        _driver.Set("web4", AdminState.Maint);

        var status = await Controller().FlipAsync();

        Assert.Equal(["live web3,web4", "out web1,web2"], _driver.Calls);
        Assert.Equal([GroupState.Out, GroupState.Live], status.Groups.Select(g => g.State));
    }

    [Fact]
    public async Task Flip_FirstTime_RecordsTheDecisionBeforeTouchingTheLoadBalancer()
    {
        _driver.Set("web3", AdminState.Maint);
        _driver.Set("web4", AdminState.Maint);
        var callsWhenRecorded = -1;
        FlipIntent? recorded = null;

        await Controller().FlipAsync(null, (intent, _) =>
        {
            (recorded, callsWhenRecorded) = (intent, _driver.Calls.Count);
            return Task.CompletedTask;
        });

        Assert.Equal(new FlipIntent("group2", "group1"), recorded);
        Assert.Equal(0, callsWhenRecorded);
        Assert.Equal(["live web3,web4", "out web1,web2"], _driver.Calls);
    }

    [Fact]
    public async Task Flip_ReRunAfterTheFlipHappened_DrivesToTheRecordedIntentAndDoesNotFlipBack()
    {
        // The first try flipped (group2 live, group1 out), then its process died before step.succeeded.
        _driver.Set("web1", AdminState.Maint);
        _driver.Set("web2", AdminState.Maint);

        var status = await Controller().FlipAsync(new FlipIntent("group2", "group1"), (_, _) => throw new InvalidOperationException("a re-run must not decide again"));

        Assert.Empty(_driver.Calls);
        Assert.Equal([GroupState.Out, GroupState.Live], status.Groups.Select(g => g.State));
    }

    [Fact]
    public async Task Flip_ReRunAfterHalfAFlip_FinishesIt()
    {
        // The first try brought group2 live, then died before taking group1 out: both are live.
        var status = await Controller().FlipAsync(new FlipIntent("group2", "group1"), (_, _) => Task.CompletedTask);

        Assert.Equal(["out web1,web2"], _driver.Calls);
        Assert.Equal([GroupState.Out, GroupState.Live], status.Groups.Select(g => g.State));
    }

    [Fact]
    public async Task Restore_GroupWithDownServer_LeftAlone()
    {
        _driver.Set("web1", AdminState.Maint);
        _driver.Set("web3", AdminState.Maint, HealthState.Down);

        await Controller().RestoreAsync();

        Assert.Equal(["live web1"], _driver.Calls);
    }

    [Fact]
    public async Task All_MinLiveTwo_NeverRefusedBecauseItOnlyAddsCapacity()
    {
        _driver.Set("web3", AdminState.Maint);

        var status = await Controller(minLiveGroups: 2).AllAsync();

        Assert.Equal(["live web3"], _driver.Calls);
        Assert.All(status.Groups, g => Assert.Equal(GroupState.Live, g.State));
    }
}
