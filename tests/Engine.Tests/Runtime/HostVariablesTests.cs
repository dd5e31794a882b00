using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

public sealed class HostVariablesTests
{
    private static EnvironmentDefinition Environment() => new()
    {
        Id = "production",
        Ssh = new SshSettings { User = "deploy", Port = 2222 },
        Deploy = new DeploySettings { Root = "/srv/shop" },
        Groups = new() { ["blue"] = new GroupSettings { Hosts = ["web1", "web2"] } },
        Hosts = new()
        {
            ["web1"] = new HostSettings { Address = "127.0.0.2", Vars = new() { ["slot"] = "a", ["weight"] = 3 } },
            ["web2"] = new HostSettings { Address = "127.0.0.3", User = "ops", Port = 22, LbServer = "shop-web2", Root = "/opt/shop" },
        },
    };

    [Fact]
    public void For_HostWithDefaults_TakesTheEnvironmentsSshAndDeploySettings()
    {
        var host = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(HostVariables.For(Environment(), "web1"));

        Assert.Equal(("web1", "blue", "127.0.0.2", "deploy", 2222L, "web1", "/srv/shop"), ((string)host["name"]!, (string)host["group"]!, (string)host["address"]!, (string)host["user"]!, (long)host["port"]!, (string)host["lb_server"]!, (string)host["root"]!));
        var vars = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(host["vars"]);
        Assert.Equal(("a", 3L), ((string)vars["slot"]!, (long)vars["weight"]!));
    }

    [Fact]
    public void For_HostWithItsOwnSettings_TheyWin()
    {
        var host = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(HostVariables.For(Environment(), "web2"));

        Assert.Equal(("ops", 22L, "shop-web2", "/opt/shop"), ((string)host["user"]!, (long)host["port"]!, (string)host["lb_server"]!, (string)host["root"]!));
    }

    [Fact]
    public void For_UnknownHost_NamesTheHostsThereAre()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => HostVariables.For(Environment(), "web9"));

        Assert.Equal("environment production has no host web9 (it has: web1, web2)", error.Message);
    }
}
