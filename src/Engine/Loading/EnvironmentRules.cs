using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Loading;

/// <summary>Checks an environment's cross-references: groups name known hosts, a host is in one group, the LB can be reached.</summary>
internal static class EnvironmentRules
{
    public static void Check(EnvironmentDefinition environment, DocNode root, DiagnosticBag diagnostics)
    {
        var map = root as DocMapping;
        var groups = map?["groups"] as DocMapping;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, host) in environment.Hosts.Where(h => h.Value is null))
        {
            diagnostics.Add((map?["hosts"] as DocMapping)?[name] ?? root, $"hosts.{name}", "expected a mapping with address, found nothing (null)");
        }

        foreach (var (name, group) in environment.Groups)
        {
            if (group is null)
            {
                diagnostics.Add(groups?[name] ?? root, $"groups.{name}", "expected a mapping with hosts, found nothing (null)");
                continue;
            }

            var hostsNode = ((groups?[name] as DocMapping)?["hosts"] as DocSequence)?.Items;
            for (var i = 0; i < group.Hosts.Count; i++)
            {
                var host = group.Hosts[i];
                var location = hostsNode is not null && i < hostsNode.Count ? hostsNode[i].Location : root.Location;
                if (host is null)
                {
                    diagnostics.Add(location, $"groups.{name}.hosts[{i}]", "expected a host name, found nothing (null)");
                }
                else if (!environment.Hosts.ContainsKey(host))
                {
                    diagnostics.Add(location, $"groups.{name}.hosts[{i}]", $"unknown host '{host}'{Suggest.Hint(host, environment.Hosts.Keys)} (hosts: {string.Join(", ", environment.Hosts.Keys)})");
                }
                else if (seen.TryGetValue(host, out var other))
                {
                    diagnostics.Add(location, $"groups.{name}.hosts[{i}]", $"host '{host}' is already in group '{other}'; a host belongs to one group");
                }
                else
                {
                    seen[host] = name;
                }
            }
        }

        var lb = environment.LoadBalancer;
        var lbNode = map?["load_balancer"] ?? root;
        if (lb.Provider == LoadBalancerProvider.Haproxy && string.IsNullOrWhiteSpace(lb.Address))
        {
            diagnostics.Add(lbNode, "load_balancer.address", "haproxy needs the runtime API address, e.g. unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999");
        }

        if (lb.Provider == LoadBalancerProvider.Nginx && string.IsNullOrWhiteSpace(lb.ConfigFile))
        {
            diagnostics.Add(lbNode, "load_balancer.config_file", "nginx needs config_file: the upstream file that nginx includes");
        }

        if (lb.SshHost is { } sshHost && !environment.Hosts.ContainsKey(sshHost))
        {
            var node = (lbNode as DocMapping)?["ssh_host"] ?? lbNode;
            diagnostics.Add(node, "load_balancer.ssh_host", $"unknown host '{sshHost}'{Suggest.Hint(sshHost, environment.Hosts.Keys)} (environment {environment.Id} has: {string.Join(", ", environment.Hosts.Keys)}); ssh_host names the host under hosts: that runs nginx");
        }

        if (lb.SshHost is not null && lb.Provider != LoadBalancerProvider.Nginx)
        {
            diagnostics.Add((lbNode as DocMapping)?["ssh_host"] ?? lbNode, "load_balancer.ssh_host", $"ssh_host applies to provider nginx only; this load balancer is {lb.Provider.ToString().ToLowerInvariant()}");
        }

        if (lb.MinLiveGroups < 0 || (environment.Groups.Count > 0 && lb.MinLiveGroups > environment.Groups.Count))
        {
            diagnostics.Add(lbNode, "load_balancer.min_live_groups", $"min_live_groups is {lb.MinLiveGroups}; expected 0 to {environment.Groups.Count} (the number of groups)");
        }
    }
}
