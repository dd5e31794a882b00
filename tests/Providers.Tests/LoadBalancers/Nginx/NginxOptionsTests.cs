using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

public sealed class NginxOptionsTests
{
    [Fact]
    public void EffectiveCommands_Defaults_UseNginxPathAndMainConfig()
    {
        var options = new NginxOptions
        {
            UpstreamName = "web",
            UpstreamConfigPath = "/etc/nginx/conf.d/web.conf",
            MainConfigPath = "/etc/nginx/nginx.conf",
            NginxPath = "/usr/sbin/nginx",
            Servers = new Dictionary<string, string> { ["web1"] = "10.0.0.1:80" },
        };

        Assert.Equal(["/usr/sbin/nginx", "-t", "-c", "/etc/nginx/nginx.conf"], options.EffectiveTestCommand);
        Assert.Equal(["/usr/sbin/nginx", "-s", "reload", "-c", "/etc/nginx/nginx.conf"], options.EffectiveReloadCommand);
    }

    [Fact]
    public void EffectiveCommands_NoMainConfig_LeaveOutDashC()
    {
        var options = new NginxOptions
        {
            UpstreamName = "web",
            UpstreamConfigPath = "/etc/nginx/conf.d/web.conf",
            Servers = new Dictionary<string, string> { ["web1"] = "10.0.0.1:80" },
            ReloadCommand = ["systemctl", "reload", "nginx"],
        };

        Assert.Equal(["nginx", "-t"], options.EffectiveTestCommand);
        Assert.Equal(["systemctl", "reload", "nginx"], options.EffectiveReloadCommand);
    }

    [Fact]
    public void Validate_EveryProblem_ReportedAtOnce()
    {
        var options = new NginxOptions
        {
            UpstreamName = "web farm",
            UpstreamConfigPath = " ",
            Servers = new Dictionary<string, string> { ["web1"] = "10.0.0.1", ["web2"] = "10.0.0.2:80", ["web3"] = "10.0.0.2:80" },
            UpstreamTemplate = "upstream {{ name }} { {{ for s in servers }}",
            TestCommand = [],
            CommandTimeout = TimeSpan.Zero,
        };

        var error = Assert.Throws<NginxException>(options.Validate);

        Assert.Equal(
            """
            The nginx options are invalid:
            - UpstreamName 'web farm' is not a valid nginx upstream name: use letters, digits, '_', '-' and '.'.
            - UpstreamConfigPath is empty: give the path of the file nginx includes for the upstream block.
            - Server 'web1' has address '10.0.0.1', which is not a host:port nginx can take in a server line.
            - Servers 'web2', 'web3' share the address '10.0.0.2:80': each server needs its own address so that it can be found in the file.
            - TestCommand is empty: give the program and its arguments, or leave it unset for 'nginx -t'.
            - CommandTimeout is 00:00:00: it must be positive.
            - UpstreamTemplate does not parse: <input>(1,43) : error : Error while parsing for statement: The <end> statement was not found in: for <variable> in <expression> ... end.
            """.ReplaceLineEndings(Environment.NewLine),
            error.Message);
    }

    [Fact]
    public void Validate_DefaultTemplateAndIpv6Address_IsValid()
    {
        var options = new NginxOptions
        {
            UpstreamName = "web",
            UpstreamConfigPath = "/etc/nginx/conf.d/web.conf",
            Servers = new Dictionary<string, string> { ["web1"] = "[::1]:8080", ["web2"] = "app-2.internal:8080" },
        };

        options.Validate();
    }
}
