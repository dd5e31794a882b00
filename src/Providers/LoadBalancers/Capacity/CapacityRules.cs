using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>
/// What each lb.* step does to a state, mirroring <see cref="LoadBalancerController"/>: live
/// capacity is added before any is removed, and an action that takes servers out and would leave
/// fewer than min_live_groups live groups is refused.
/// </summary>
internal sealed class CapacityRules(CapacityTopology topology)
{
    public (CapacityState After, string? Problem) Apply(ActionStep step, CapacityState state, CapacityScope scope)
    {
        var name = scope.Name(step);
        switch (step.Uses)
        {
            case "lb.all" or "lb.restore":
                return (CapacityState.AllLive, null);
            case "lb.live":
                var groups = scope.Names(step.With?["groups"]);
                if (groups is null || groups.Count == 0 || groups.Any(g => !topology.Groups.ContainsKey(g)))
                {
                    return (CapacityState.Unknown, null); // unresolved or unknown names; the latter are reported by the validator
                }

                var live = topology.Groups.Where(g => groups.Contains(g.Key)).SelectMany(g => g.Value);
                var @out = topology.Groups.Where(g => !groups.Contains(g.Key)).SelectMany(g => g.Value);
                return Change($"lb.live groups: [{string.Join(", ", groups)}]", state, live, @out, name);
            case "lb.flip":
                return Flip(state, name);
            case "lb.drain" or "lb.ready":
                var host = scope.Names(step.With?["host"]);
                if (host is not [var hostName] || topology.ServerOf(hostName) is not { } server)
                {
                    return (CapacityState.Unknown, null);
                }

                return step.Uses == "lb.drain"
                    ? Change($"lb.drain host: {hostName}", state, [], [server], name)
                    : Change($"lb.ready host: {hostName}", state, [server], [], name);
            default:
                return (state, null);
        }
    }

    private (CapacityState, string?) Flip(CapacityState state, string name)
    {
        if (!state.IsKnown)
        {
            return (state, null);
        }

        var live = topology.Groups.Where(g => state.StateOf(g.Value) == GroupState.Live).ToList();
        var @out = topology.Groups.Where(g => state.StateOf(g.Value) == GroupState.Out).ToList();
        if (topology.Groups.Count != 2 || live.Count != 1 || @out.Count != 1)
        {
            var found = string.Join(", ", topology.Groups.Select(g => Describe(g.Key, g.Value, state)));
            return (state, $"lb.flip would fail: it needs exactly one live and one out group, but here {found}");
        }

        return Change("lb.flip", state, @out[0].Value, live[0].Value, name);
    }

    private (CapacityState, string?) Change(
        string action,
        CapacityState state,
        IEnumerable<string> bringLive,
        IEnumerable<string> takeOut,
        string name)
    {
        var bring = bringLive.ToHashSet(StringComparer.Ordinal);
        var take = takeOut.Where(s => !state.IsOut(s) && !bring.Contains(s)).ToList();
        var after = (state.IsKnown ? state : CapacityState.AllLive).With(bring, take, name);
        if (!state.IsKnown)
        {
            // Only a step that sets every group (lb.live) makes an unknown state known again.
            return action.StartsWith("lb.live", StringComparison.Ordinal) ? (after, null) : (CapacityState.Unknown, null);
        }

        var liveGroups = topology.Groups.Count(g => after.StateOf(g.Value) == GroupState.Live);
        if (take.Count == 0 || liveGroups >= topology.MinLiveGroups)
        {
            return (after, null);
        }

        var reasons = topology.Groups.Where(g => after.StateOf(g.Value) != GroupState.Live).Select(g => Reason(g.Key, g.Value, after, name));
        return (
            after,
            $"{action} would leave {liveGroups} live group{(liveGroups == 1 ? "" : "s")} (min_live_groups is {topology.MinLiveGroups} in "
            + $"environment {topology.EnvironmentId}): {string.Join(", ", reasons)}");
    }

    /// <summary>Why a group is not live: the servers this step would take out, or the step that took them out earlier.</summary>
    private static string Reason(string group, IReadOnlyList<string> servers, CapacityState after, string step)
    {
        var bySince = servers.Where(after.IsOut).GroupBy(s => after.OutSince(s)!);
        return string.Join(", ", bySince.Select(b =>
        {
            var whole = b.Count() == servers.Count;
            var names = string.Join(", ", b);
            return b.Key == step
                ? whole ? $"{group} would be taken out" : $"{group} would lose {names}"
                : whole ? $"{group} is out since {b.Key}" : $"{group} has {names} out since {b.Key}";
        }));
    }

    private static string Describe(string group, IReadOnlyList<string> servers, CapacityState state) =>
        state.StateOf(servers) == GroupState.Live ? $"{group} is live" : Reason(group, servers, state, "");
}
