using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Deploy;

/// <summary>The environment "production" of a test site: the real HAProxy in front, the site's SSH hosts, clone deploys from the fixture's origin.</summary>
internal static class SshWorkflowEnvironment
{
    public static (EnvironmentDefinition Definition, string Text) Create(SshFleetFixture fleet, HAProxyTestSite haproxy, FleetSite site)
    {
        var hosts = string.Join("\n", site.Hosts.Select(h => $"  {h.Name}: {{ address: {h.Host.Address}, root: {h.Root}, vars: {{ app_port: {h.AppPort} }} }}"));
        var text = $$$"""
            id: production
            repository: { url: "{{{fleet.OriginUrl}}}" }
            load_balancer:
              provider: haproxy
              address: "{{{haproxy.Proxy.AdminAddress}}}"
              backend: {{{FleetHAProxy.Backend}}}
              min_live_groups: 1
              drain_timeout: 10s
              health_timeout: 5s
            groups:
              group1: { hosts: [web1, web2] }
              group2: { hosts: [web3, web4] }
            hosts:
            {{{hosts}}}
            deploy:
              source: clone
              restart: "sh {{{fleet.BinPath}}}/restart-app.sh {{ host.root }} {{ host.address }} {{ host.vars.app_port }}"
              health: { url: "http://{{ host.address }}:{{ host.vars.app_port }}/health", retries: 40, interval: 100ms }
            {{{fleet.EnvironmentSshBlock}}}
            """;
        var path = Path.Combine(fleet.Root, "env", "production.yaml");
        return (DocumentLoader.LoadEnvironment(text, path).GetOrThrow(), text);
    }
}
