using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Tests.LoadBalancers;

public sealed class GroupStatusEvaluatorTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Groups = new()
    {
        ["group1"] = ["web1", "web2"],
        ["group2"] = ["web3", "web4"],
    };

    private static ServerState Server(string name, AdminState admin = AdminState.Ready, HealthState health = HealthState.Up) =>
        new(name, admin, health, 0, 1);

    [Fact]
    public void StateOf_AllReadyAndUp_Live()
    {
        Assert.Equal(GroupState.Live, GroupStatusEvaluator.StateOf([Server("web1"), Server("web2", health: HealthState.NoCheck)]));
    }

    [Fact]
    public void StateOf_DrainMaintAndDown_Out()
    {
        Assert.Equal(GroupState.Out, GroupStatusEvaluator.StateOf(
            [Server("web1", AdminState.Drain), Server("web2", AdminState.Maint), Server("web3", health: HealthState.Down)]));
    }

    [Fact]
    public void StateOf_OneServerDrained_Inconsistent()
    {
        Assert.Equal(GroupState.Inconsistent, GroupStatusEvaluator.StateOf([Server("web1", AdminState.Drain), Server("web2")]));
    }

    [Fact]
    public void Evaluate_TwoGroups_KeepsConfiguredOrderAndServers()
    {
        var status = GroupStatusEvaluator.Evaluate(Groups,
            [Server("web4", AdminState.Maint), Server("web3", AdminState.Maint), Server("web2"), Server("web1")]);

        Assert.Equal(["group1", "group2"], status.Groups.Select(g => g.Name));
        Assert.Equal(GroupState.Live, status["group1"].State);
        Assert.Equal(GroupState.Out, status["group2"].State);
        Assert.Equal(["web3", "web4"], status["group2"].Servers.Select(s => s.Name));
    }

    [Fact]
    public void Evaluate_ServerMissingFromLoadBalancer_NamesGroupAndServer()
    {
        var error = Assert.Throws<LoadBalancerException>(() =>
            GroupStatusEvaluator.Evaluate(Groups, [Server("web1"), Server("web2"), Server("web3")]));

        Assert.Equal("group2 lists server web4, which the load balancer does not report (it has web1, web2, web3).", error.Message);
    }

    [Fact]
    public void Describe_InconsistentGroup_ListsServersNotLive()
    {
        var group = new GroupStatus("group1", GroupState.Inconsistent,
            [Server("web1", AdminState.Drain), Server("web2"), Server("web5", AdminState.Maint, HealthState.Down)]);

        Assert.Equal("group1 is inconsistent (web1 drain, web5 maint/down)", GroupStatusEvaluator.Describe(group));
    }
}
