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

    /// <summary>Bad environments, each with the one problem it must produce: file:line:column path: message.</summary>
    public static TheoryData<string, string> BadEnvironments => new()
    {
        {
            "id: prod\nload_balancer: { provider: nginx, config_file: /etc/nginx/up.conf, ssh_host: lb2 }\n" + Hosts,
            "prod.yaml:2:78 load_balancer.ssh_host: unknown host 'lb2' (did you mean 'lb1'?) (environment prod has: web1, lb1); ssh_host names the host under hosts: that runs nginx"
        },
        {
            "id: prod\nload_balancer:\n  provider: nginx\n  config_file: /etc/nginx/up.conf\n  ssh_host: balancer\n" + Hosts,
            "prod.yaml:5:13 load_balancer.ssh_host: unknown host 'balancer' (environment prod has: web1, lb1); ssh_host names the host under hosts: that runs nginx"
        },
        {
            "id: prod\nload_balancer: { provider: haproxy, address: \"tcp://127.0.0.1:9999\", ssh_host: lb1 }\n" + Hosts,
            "prod.yaml:2:80 load_balancer.ssh_host: ssh_host applies to provider nginx only; this load balancer is haproxy"
        },
        {
            "id: prod\nload_balancer: { provider: nginx, ssh_host: lb1 }\n" + Hosts,
            "prod.yaml:2:16 load_balancer.config_file: nginx needs config_file: the upstream file that nginx includes"
        },
        {
            "id: prod\nload_balancer: { provider: haproxy }\n" + Hosts,
            "prod.yaml:2:16 load_balancer.address: haproxy needs the runtime API address, e.g. unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999"
        },
        {
            "id: prod\nload_balancer: { provider: sandbox, min_live_groups: 2 }\n" + Hosts,
            "prod.yaml:2:16 load_balancer.min_live_groups: min_live_groups is 2; expected 0 to 1 (the number of groups)"
        },
        {
            "id: prod\nload_balancer: { provider: sandbox }\nhosts:\n  web1: { address: 10.0.0.1 }\ngroups:\n  group1: { hosts: [web1, wbe1] }\n",
            "prod.yaml:6:27 groups.group1.hosts[1]: unknown host 'wbe1' (did you mean 'web1'?) (hosts: web1)"
        },
    };

    [Theory]
    [MemberData(nameof(BadEnvironments))]
    public void Load_BadEnvironment_ReportsExactlyOneLocatedProblem(string text, string expected)
    {
        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal([expected], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_NginxSshHostUnderHosts_Loads()
    {
        var text = "id: prod\nload_balancer: { provider: nginx, config_file: /etc/nginx/up.conf, ssh_host: lb1 }\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal("lb1", result.Value!.LoadBalancer.SshHost);
    }
}
