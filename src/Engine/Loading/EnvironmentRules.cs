using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Loading;

/// <summary>Checks an environment's cross-references: groups name known hosts, a host is in one group, the load balancer's own checks.</summary>
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
                    diagnostics.Add(
                        location,
                        $"groups.{name}.hosts[{i}]",
                        $"unknown host '{host}'{Suggest.Hint(host, environment.Hosts.Keys)} (hosts: {string.Join(", ", environment.Hosts.Keys)})");
                }
                else if (seen.TryGetValue(host, out var other))
                {
                    diagnostics.Add(
                        location,
                        $"groups.{name}.hosts[{i}]",
                        $"host '{host}' is already in group '{other}'; a host belongs to one group");
                }
                else
                {
                    seen[host] = name;
                }
            }
        }

        var lb = environment.LoadBalancer;
        var lbNode = map?["load_balancer"] ?? root;
        LoadBalancerBinder.Check(environment, map?["load_balancer"], root, diagnostics);
        if (lb.MinLiveGroups < 0 || (environment.Groups.Count > 0 && lb.MinLiveGroups > environment.Groups.Count))
        {
            diagnostics.Add(
                lbNode,
                "load_balancer.min_live_groups",
                $"min_live_groups is {lb.MinLiveGroups}; expected 0 to {environment.Groups.Count} (the number of groups)");
        }
    }
}
