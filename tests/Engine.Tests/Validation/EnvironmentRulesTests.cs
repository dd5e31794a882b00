using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Tests.Validation;

/// <summary>
/// An environment's cross-references are checked when it loads, each error located in the file.
/// The haproxy and nginx blocks are checked by their own settings classes, tested with them in
/// Providers.Tests (LoadBalancers/LoadBalancerSettingsTests).
/// </summary>
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
            "id: prod\nload_balancer: { provider: sandbox, min_live_groups: 2 }\n" + Hosts,
            "prod.yaml:2:16 load_balancer.min_live_groups: min_live_groups is 2; expected 0 to 1 (the number of groups)"
        },
        {
            "id: prod\nload_balancer: { provider: sandbox }\nhosts:\n  web1: { address: 10.0.0.1 }\ngroups:\n  group1: { hosts: [web1, wbe1] }\n",
            "prod.yaml:6:27 groups.group1.hosts[1]: unknown host 'wbe1' (did you mean 'web1'?) (hosts: web1)"
        },
        {
            "id: prod\nload_balancer: { provider: sandbox, simulated_dealy: 1s }\n" + Hosts,
            "prod.yaml:2:37 load_balancer.simulated_dealy: unknown field 'simulated_dealy' (did you mean 'simulated_delay'?); expected one of: simulated_delay, provider, backend, min_live_groups, drain_timeout, force_after_drain_timeout, health_timeout, poll_interval"
        },
        {
            "id: prod\nload_balancer: [sandbox]\n" + Hosts,
            "prod.yaml:2:16 load_balancer: expected a mapping with provider and its fields, found a list"
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
    public void Load_NoLoadBalancerBlock_GetsTheSandboxWithItsDefaults()
    {
        var result = DocumentLoader.LoadEnvironment("id: prod\n" + Hosts, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        var settings = Assert.IsType<SandboxLoadBalancerSettings>(result.Value!.LoadBalancer);
        Assert.Equal(("sandbox", "web", 1, TimeSpan.Zero), (settings.Provider, settings.Backend, settings.MinLiveGroups, settings.SimulatedDelay));
    }

    [Fact]
    public void Load_SandboxBlock_BindsItsOwnAndTheSharedFields()
    {
        var result = DocumentLoader.LoadEnvironment("id: prod\nload_balancer: { provider: sandbox, simulated_delay: 250ms, drain_timeout: 5s }\n" + Hosts, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        var settings = Assert.IsType<SandboxLoadBalancerSettings>(result.Value!.LoadBalancer);
        Assert.Equal((TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)), (settings.SimulatedDelay, settings.DrainTimeout));
    }

    [Fact]
    public void Load_ProviderNone_IsTheSharedSettingsAlone()
    {
        var result = DocumentLoader.LoadEnvironment("id: prod\nload_balancer: { provider: none }\n" + Hosts, "prod.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal((typeof(LoadBalancerSettings), "none"), (result.Value!.LoadBalancer.GetType(), result.Value.LoadBalancer.Provider));
    }
}
