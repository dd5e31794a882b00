namespace Gantry.Providers.LoadBalancers;

/// <summary>Where a group of servers stands in the rotation.</summary>
public enum GroupState
{
    /// <summary>Every server of the group takes traffic.</summary>
    Live,

    /// <summary>No server of the group takes traffic (drained, in maintenance or down).</summary>
    Out,

    /// <summary>Some servers take traffic and some do not; never guessed to be live or out.</summary>
    Inconsistent,
}

/// <summary>One group's state and the state of each of its servers, in configured order.</summary>
/// <param name="Name">Group name from the environment, e.g. <c>group1</c>.</param>
/// <param name="State">The group's state derived from its servers.</param>
/// <param name="Servers">Each server of the group as the load balancer reports it.</param>
/// <param name="Quarantined">Servers of the group whose host is quarantined (a rollback failed on it): out, whatever the load balancer says, and left
/// out of the group's state.</param>
public sealed record GroupStatus(string Name, GroupState State, IReadOnlyList<ServerState> Servers, IReadOnlyList<string>? Quarantined = null)
{
    /// <summary>The group's servers that are not quarantined: the ones its state and actions are about.</summary>
    public IReadOnlyList<ServerState> Serving => Quarantined is { Count: > 0 } q ? Servers.Where(s => !q.Contains(s.Name)).ToList() : Servers;
}

/// <summary>Every configured group's status, in configured order, read fresh from the load balancer.</summary>
/// <param name="Groups">The groups.</param>
public sealed record LoadBalancerStatus(IReadOnlyList<GroupStatus> Groups)
{
    /// <summary>The group with <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such group.</exception>
    public GroupStatus this[string name] =>
        Groups.FirstOrDefault(g => g.Name == name) ?? throw new KeyNotFoundException($"no group named \"{name}\"");

    /// <summary>Names of the groups in <paramref name="state"/>.</summary>
    public IReadOnlyList<string> GroupsIn(GroupState state) =>
        Groups.Where(g => g.State == state).Select(g => g.Name).ToList();
}
