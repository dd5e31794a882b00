using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers;

/// <summary>
/// Each product binds and checks its own <c>load_balancer:</c> block (HAProxySettings,
/// NginxSettings): a wrong field is a located error saying what was expected, whichever product
/// it belongs to.
/// </summary>
public sealed class LoadBalancerSettingsTests
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
            // The runtime API socket is missing.
            "id: prod\nload_balancer: { provider: haproxy }\n" + Hosts,
            "prod.yaml:2:16 load_balancer.address: haproxy needs the runtime API address, e.g. unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999"
        },
        {
            "id: prod\nload_balancer: { provider: hapoxy, address: \"tcp://127.0.0.1:9999\" }\n" + Hosts,
            "prod.yaml:2:28 load_balancer.provider: unknown load balancer provider 'hapoxy' (did you mean 'haproxy'?); expected one of: haproxy, nginx, none, sandbox (a plugin's provider is known once its plugin is loaded)"
        },
        {
            // A haproxy field under nginx, in a block written over several lines.
            "id: prod\nload_balancer:\n  provider: nginx\n  config_file: /etc/nginx/up.conf\n  address: unix:///run/haproxy/admin.sock\n" + Hosts,
            "prod.yaml:5:12 load_balancer.address: address applies to provider haproxy only; this load balancer is nginx"
        },
        {
            "id: prod\nload_balancer:\n  provider: nginx\n  config_file: /etc/nginx/up.conf\n  settle_delay: soon\n" + Hosts,
            "prod.yaml:5:17 load_balancer.settle_delay: expected a duration such as 30s, 5m or 1h, found 'soon'"
        },
    };

    [Theory]
    [MemberData(nameof(BadEnvironments))]
    public void Load_BadLoadBalancer_ReportsExactlyOneLocatedProblem(string text, string expected)
    {
        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal([expected], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_MisspeltHAProxyAddress_SaysTheFieldIsUnknownAndTheSocketMissing()
    {
        var text = "id: prod\nload_balancer:\n  provider: haproxy\n  adress: unix:///run/haproxy/admin.sock\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal(
            [
                "prod.yaml:3:3 load_balancer.address: haproxy needs the runtime API address, e.g. unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999",
                "prod.yaml:4:3 load_balancer.adress: unknown field 'adress' (did you mean 'address'?); expected one of: address, provider, backend, min_live_groups, drain_timeout, force_after_drain_timeout, health_timeout, poll_interval",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_NginxSshHostUnderHosts_Loads()
    {
        var text = "id: prod\nload_balancer: { provider: nginx, config_file: /etc/nginx/up.conf, ssh_host: lb1 }\n" + Hosts;

        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal("lb1", Assert.IsType<NginxSettings>(result.Value!.LoadBalancer).SshHost);
    }

    [Fact]
    public void Load_HAProxyBlock_BindsItsOwnAndTheSharedFields()
    {
        var text = "id: prod\nload_balancer: { provider: haproxy, address: \"unix:///run/haproxy/admin.sock\", backend: app, drain_timeout: 20s }\n" + Hosts;

        var settings = Assert.IsType<HAProxySettings>(DocumentLoader.LoadEnvironment(text, "prod.yaml").GetOrThrow().LoadBalancer);

        Assert.Equal(("haproxy", "unix:///run/haproxy/admin.sock", "app", TimeSpan.FromSeconds(20)), (settings.Provider, settings.Address, settings.Backend, settings.DrainTimeout));
    }

    [Fact]
    public void Create_ProviderWithoutADriverInThisHost_SaysWhichProvidersItHas()
    {
        var environment = new EnvironmentDefinition { Id = "prod", LoadBalancer = new LoadBalancerSettings { Provider = "envoy" } };

        var error = Assert.Throws<LoadBalancerException>(() => new LoadBalancerFactory(TimeProvider.System).Create(environment, Path.GetTempPath()));

        Assert.Equal("environment prod: load balancer provider 'envoy' has no driver in this host (it has: haproxy, nginx, none, sandbox); load the plugin that adds it, or register it with services.AddLoadBalancer", error.Message);
    }

    [Fact]
    public void Create_HAProxyNamedWithTheSharedSettingsClass_SaysWhichClassItNeeds()
    {
        var environment = new EnvironmentDefinition { Id = "prod", LoadBalancer = new LoadBalancerSettings { Provider = "haproxy" } };

        var error = Assert.Throws<LoadBalancerException>(() => new LoadBalancerFactory(TimeProvider.System).Create(environment, Path.GetTempPath()));

        Assert.Equal("environment prod: load_balancer.provider haproxy needs HAProxySettings settings, got LoadBalancerSettings; load the environment from its document, or build it with HAProxySettings", error.Message);
    }

    [Fact]
    public void EnvironmentSchema_LoadBalancer_TakesTheFragmentOfTheProviderItNames()
    {
        var schema = SchemaGenerator.Environment();

        var fragments = schema["$defs"]!.AsObject();
        Assert.Equal(["load_balancer.haproxy", "load_balancer.nginx", "load_balancer.none", "load_balancer.sandbox"], fragments.Select(f => f.Key));
        var haproxy = fragments["load_balancer.haproxy"]!["properties"]!.AsObject();
        Assert.Equal("haproxy", haproxy["provider"]!["const"]!.GetValue<string>());
        Assert.True(haproxy.ContainsKey("address"));
        Assert.False(haproxy.ContainsKey("config_file"), "nginx's config_file is not a haproxy field");
        Assert.False(fragments["load_balancer.haproxy"]!["additionalProperties"]!.GetValue<bool>());
        var choices = schema["properties"]!["load_balancer"]!["allOf"]!.AsArray()
            .Select(c => (c!["if"]!["properties"]?["provider"]?["const"]?.GetValue<string>() ?? "(no provider)", c["then"]!["$ref"]!.GetValue<string>()));
        Assert.Equal(
            [
                ("haproxy", "#/$defs/load_balancer.haproxy"), ("nginx", "#/$defs/load_balancer.nginx"), ("none", "#/$defs/load_balancer.none"),
                ("sandbox", "#/$defs/load_balancer.sandbox"), ("(no provider)", "#/$defs/load_balancer.sandbox"),
            ],
            choices);
    }
}
