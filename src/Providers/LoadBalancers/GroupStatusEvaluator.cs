namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Derives group states from server states. Pure: no I/O, so the rules are unit-tested without a
/// load balancer.
/// </summary>
public static class GroupStatusEvaluator
{
    /// <summary>
    /// Live when every server is live, Out when no server is, Inconsistent otherwise.
    /// </summary>
    public static GroupState StateOf(IReadOnlyList<ServerState> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);

        var live = servers.Count(s => s.IsLive);
        return servers.Count == 0 ? GroupState.Out
            : live == servers.Count ? GroupState.Live
            : live == 0 ? GroupState.Out
            : GroupState.Inconsistent;
    }

    /// <summary>Builds the status of every group from the servers the load balancer reports.</summary>
    /// <param name="groups">Group name → its servers.</param>
    /// <param name="servers">What the load balancer reports.</param>
    /// <param name="quarantined">Servers whose host is quarantined: they count as out and leave the group's state to the others (a group of only
    /// quarantined servers is out).</param>
    /// <exception cref="LoadBalancerException">A group names a server the load balancer does not report.</exception>
    public static LoadBalancerStatus Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<string>> groups,
        IReadOnlyList<ServerState> servers,
        IReadOnlyCollection<string>? quarantined = null)
    {
        var byName = servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var missing = groups
            .SelectMany(g => g.Value.Where(s => !byName.ContainsKey(s)).Select(s => $"{g.Key} lists server {s}"))
            .ToList();
        if (missing.Count > 0)
        {
            var known = string.Join(", ", servers.Select(s => s.Name));
            throw new LoadBalancerException(
                $"{string.Join("; ", missing)}, which the load balancer does not report (it has {(known.Length == 0 ? "no servers" : known)}).");
        }

        return new LoadBalancerStatus(groups
            .Select(g =>
            {
                var members = g.Value.Select(s => byName[s]).ToList();
                var held = quarantined is null ? [] : g.Value.Where(quarantined.Contains).ToList();
                var group = new GroupStatus(g.Key, GroupState.Out, members, held);
                return group with { State = StateOf(group.Serving) };
            })
            .ToList());
    }

    /// <summary>Short text for a server that is not live, e.g. <c>web1 drain</c> or <c>web2 maint/down</c>.</summary>
    public static string Describe(ServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);

        var parts = new List<string>(2);
        if (server.Admin != AdminState.Ready)
        {
            parts.Add(server.Admin.ToString().ToLowerInvariant());
        }

        if (server.Health == HealthState.Down)
        {
            parts.Add("down");
        }

        return parts.Count == 0 ? $"{server.Name} live" : $"{server.Name} {string.Join('/', parts)}";
    }

    /// <summary>Short text for a group, e.g. <c>group1 is inconsistent (web1 drain)</c>.</summary>
    public static string Describe(GroupStatus group)
    {
        ArgumentNullException.ThrowIfNull(group);

        var state = group.State.ToString().ToLowerInvariant();
        if (group.State == GroupState.Live)
        {
            return $"{group.Name} is {state}";
        }

        var notLive = group.Servers.Where(s => !s.IsLive).Select(Describe);
        return $"{group.Name} is {state} ({string.Join(", ", notLive)})";
    }
}
