using Gantry.Engine.Loading;

namespace Gantry.Engine.Tests.Validation;

/// <summary>An environment's cross-references are checked when it loads, each error located in the file.</summary>
public sealed class EnvironmentRulesTests
{
    private const string Hosts = """
        hosts:
          web1: { address: 10.0.0.1 }
          lb1: { address: 10.0.0.9 }
        groups:
          group1: { hosts: [web1] }
        """;

    [Fact]
    public void Load_NginxSshHostNotUnderHosts_LocatedErrorWithSuggestion()
    {
        var text = "id: prod\nload_balancer: { provider: nginx, config_file: /etc/nginx/up.conf, ssh_host: lb2 }\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal(
            ["prod.yaml:2:78 load_balancer.ssh_host: unknown host 'lb2' (did you mean 'lb1'?); ssh_host names the host under hosts: that runs nginx (hosts: web1, lb1)"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_SshHostOnHAProxy_RefusedAsNginxOnly()
    {
        var text = "id: prod\nload_balancer: { provider: haproxy, address: \"tcp://127.0.0.1:9999\", ssh_host: lb1 }\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal(
            ["prod.yaml:2:80 load_balancer.ssh_host: ssh_host applies to provider nginx only; this load balancer is haproxy"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_NginxSshHostUnderHosts_Loads()
    {
        var text = "id: prod\nload_balancer: { provider: nginx, config_file: /etc/nginx/up.conf, ssh_host: lb1 }\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal("lb1", result.Value!.LoadBalancer.SshHost);
    }

    [Fact]
    public void Load_GroupNamesUnknownHost_LocatedAtTheListItem()
    {
        var text = "id: prod\nload_balancer: { provider: sandbox }\nhosts:\n  web1: { address: 10.0.0.1 }\ngroups:\n  group1: { hosts: [web1, wbe1] }\n";

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal(
            ["prod.yaml:6:27 groups.group1.hosts[1]: unknown host 'wbe1' (did you mean 'web1'?) (hosts: web1)"],
            result.Diagnostics.Select(d => d.ToString()));
    }
}
