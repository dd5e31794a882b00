using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;

namespace Gantry.Providers.Tests.LoadBalancers.HAProxy;

public sealed class HAProxyTablesTests
{
    [Fact]
    public void StatCsv_ColumnsReordered_ReadByName()
    {
        var csv = """
            # status,check_status,svname,weight,pxname,scur,last_chk,
            DRAIN,L7OK,web2,3,web,2,"HTTP status check returned code <200>",
            MAINT,,web1,1,web,0,,
            """;

        var servers = HAProxyServerStates.From(HAProxyStatCsv.Parse("show stat", csv), serversState: null);

        Assert.Equal(
            [
                new ServerState("web2", AdminState.Drain, HealthState.Up, 2, 3, "L7OK (HTTP status check returned code <200>)"),
                new ServerState("web1", AdminState.Maint, HealthState.NoCheck, 0, 1, null),
            ],
            servers);
    }

    [Fact]
    public void StatCsv_QuotedFieldWithComma_StaysOneCell()
    {
        var table = HAProxyStatCsv.Parse("show stat", "# svname,last_chk,scur\nweb1,\"a, \"\"b\"\"\",7\n");

        Assert.Equal("a, \"b\"", table.Rows[0]["last_chk"]);
        Assert.Equal("7", table.Rows[0]["scur"]);
    }

    [Fact]
    public void StatCsv_MissingColumn_NamesColumnAndListsOthers()
    {
        var table = HAProxyStatCsv.Parse("show stat web 4 -1", "# pxname,svname\nweb,web1\n");

        var error = Assert.Throws<LoadBalancerException>(() => table.Rows[0]["scur"]);

        Assert.Equal("HAProxy's \"show stat web 4 -1\" reply has no column \"scur\"; its columns are pxname, svname", error.Message);
    }

    [Fact]
    public void ServersState_AdminFlags_OverrideStatus()
    {
        var state = HAProxyServersState.Parse("show servers state web", """
            1
            # be_id be_name srv_id srv_name srv_admin_state srv_uweight
            3 web 1 web1 8 1
            3 web 2 web2 1 1
            3 web 3 web3 0 5
            """);
        var stat = HAProxyStatCsv.Parse("show stat", """
            # svname,status,check_status,scur,weight
            web1,DOWN,L4CON,0,1
            web2,MAINT,,0,1
            web3,UP 1/2,L7OK,0,5
            """);

        var servers = HAProxyServerStates.From(stat, state);

        Assert.Equal(
            [(AdminState.Drain, HealthState.Down), (AdminState.Maint, HealthState.NoCheck), (AdminState.Ready, HealthState.Up)],
            servers.Select(s => (s.Admin, s.Health)));
    }

    [Theory]
    [InlineData("UP", "L7OK", HealthState.Up)]
    [InlineData("UP 1/3", "L7OK", HealthState.Up)]
    [InlineData("DRAIN", "L4OK", HealthState.Up)]
    [InlineData("DOWN", "L4CON", HealthState.Down)]
    [InlineData("DOWN 1/2", "L7OK", HealthState.Down)]
    [InlineData("NOLB", "L7OK", HealthState.Down)]
    [InlineData("no check", "", HealthState.NoCheck)]
    [InlineData("MAINT", "* L7OK", HealthState.Up)]
    [InlineData("MAINT (via web/web1)", "", HealthState.NoCheck)]
    public void HealthFromStatus_HAProxyStatusTexts_Mapped(string status, string checkStatus, HealthState expected)
    {
        Assert.Equal(expected, HAProxyServerStates.HealthFromStatus(status, checkStatus));
    }

    [Fact]
    public void ServersState_NotAListing_FormatException()
    {
        Assert.Throws<FormatException>(() => HAProxyServersState.Parse("show servers state nosuch", "Can't find backend."));
    }
}
