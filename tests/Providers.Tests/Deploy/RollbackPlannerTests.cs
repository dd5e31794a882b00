using Gantry.Providers.Deploy;

namespace Gantry.Providers.Tests.Deploy;

public sealed class RollbackPlannerTests
{
    [Fact]
    public void Plan_EveryHostOnOneRelease_GoesToTheSharedPreviousRelease()
    {
        var plan = RollbackPlanner.Plan("prod", [Host("web1", "v3.0.1", "v3.0.0"), Host("web2", "v3.0.1", "v3.0.0")], to: null, fetch: false);

        Assert.Equal(("v3.0.0", 0), (plan.Release, plan.Missing.Count));
    }

    [Fact]
    public void Plan_RolloutStoppedPartWay_GoesToTheReleaseTheNewerHostsWereDeployedOver()
    {
        var plan = RollbackPlanner.Plan("prod", [Host("web1", "v3.0.1", "v3.0.0"), Host("web3", "v3.0.0", "v2.9.0", "v3.0.1")], to: null, fetch: false);

        Assert.Equal("v3.0.0", plan.Release);
    }

    [Fact]
    public void Plan_HostsMissingTheNamedReleaseWithoutFetch_RefusesNamingThemAndTheCommandToFetch()
    {
        var ex = Assert.Throws<DeployException>(() => RollbackPlanner.Plan("prod", [Host("web1", "v3.0.1", "v3.0.0"), Host("web2", "v3.0.1")], to: "v3.0.0", fetch: false));

        Assert.Equal("refusing to roll back prod to v3.0.0: web2 no longer has it (web2 keeps v3.0.1); nothing was changed. To clone it again on that host: gantry rollback --env prod --to v3.0.0 --fetch", ex.Message);
    }

    [Fact]
    public void Plan_HostsMissingTheNamedReleaseWithFetch_ListsThemToClone()
    {
        var plan = RollbackPlanner.Plan("prod", [Host("web1", "v3.0.1", "v3.0.0"), Host("web2", "v3.0.1")], to: "v3.0.0", fetch: true);

        Assert.Equal("v3.0.0", plan.Release);
        Assert.Equal(["web2"], plan.Missing);
    }

    [Fact]
    public void Plan_HostsDisagreeOnThePreviousRelease_AsksForTo()
    {
        var ex = Assert.Throws<DeployException>(() => RollbackPlanner.Plan("prod", [Host("web1", "v3.0.2", "v3.0.1"), Host("web2", "v3.0.2", "v3.0.0")], to: null, fetch: false));

        Assert.Equal("cannot roll back prod: the hosts were on different releases before v3.0.2 (web1 v3.0.1, web2 v3.0.0); name the release with --to; nothing was changed", ex.Message);
    }

    [Fact]
    public void Plan_NoOlderRelease_SaysWhereAndAsksForTo()
    {
        var ex = Assert.Throws<DeployException>(() => RollbackPlanner.Plan("prod", [Host("web1", "v3.0.0"), Host("web2", "v3.0.0")], to: null, fetch: false));

        Assert.Equal("cannot roll back prod: there is no release older than v3.0.0 on web1, web2; name a release with --to; nothing was changed", ex.Message);
    }

    [Fact]
    public void Plan_UnreadableHost_RefusesNamingIt()
    {
        var ex = Assert.Throws<DeployException>(() => RollbackPlanner.Plan("prod", [Host("web1", "v3.0.1", "v3.0.0"), new HostReleaseState("web2", null, null, [], [], Error: "connection refused")], to: "v3.0.0", fetch: true));

        Assert.Equal("cannot roll back prod: web2 cannot be read (connection refused); nothing was changed", ex.Message);
    }

    /// <summary>A host on <paramref name="current"/> keeping <paramref name="older"/> (newest first) below it.</summary>
    private static HostReleaseState Host(string name, string current, params string[] older) =>
        new(name, current, older.FirstOrDefault(), [current, .. older], []);
}
