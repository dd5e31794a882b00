namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Enforces <c>min_live_groups</c> before an action touches anything, by predicting the group
/// states the action would leave behind.
/// </summary>
internal static class LiveGroupsGuard
{
    public static void Ensure(
        string action,
        LoadBalancerStatus before,
        IReadOnlySet<string> bringLive,
        IReadOnlySet<string> takeOut,
        int minLiveGroups)
    {
        // An action that only adds capacity cannot lower the number of live groups; refusing it would
        // only stop a recovery (lb.restore after a failure), so it is never refused here.
        if (takeOut.Count == 0)
        {
            return;
        }

        var after = before.Groups.Select(g => Predict(g, bringLive, takeOut)).ToList();
        var live = after.Count(g => g.State == GroupState.Live);
        if (live >= minLiveGroups)
        {
            return;
        }

        var reasons = before.Groups
            .Zip(after)
            .Where(p => p.Second.State != GroupState.Live)
            .Select(p => Reason(p.First, p.Second, bringLive, takeOut));
        throw new LoadBalancerException(
            $"refused: {action} would leave {live} live group{(live == 1 ? "" : "s")} (min_live_groups is {minLiveGroups}): "
            + $"{string.Join(", ", reasons)}");
    }

    private static GroupStatus Predict(GroupStatus group, IReadOnlySet<string> bringLive, IReadOnlySet<string> takeOut)
    {
        // Making a server ready does not make a failing health check pass, so a down server stays down.
        var servers = group.Servers
            .Select(s => takeOut.Contains(s.Name) ? s with { Admin = AdminState.Maint }
                : bringLive.Contains(s.Name) ? s with { Admin = AdminState.Ready }
                : s)
            .ToList();
        var predicted = group with { Servers = servers };
        return predicted with { State = GroupStatusEvaluator.StateOf(predicted.Serving) };
    }

    private static string Reason(GroupStatus before, GroupStatus after, IReadOnlySet<string> bringLive, IReadOnlySet<string> takeOut)
    {
        var touched = before.Servers.Any(s => takeOut.Contains(s.Name) || bringLive.Contains(s.Name));
        if (!touched)
        {
            return GroupStatusEvaluator.Describe(before);
        }

        var state = after.State.ToString().ToLowerInvariant();
        if (after.Servers.All(s => takeOut.Contains(s.Name)))
        {
            return $"{after.Name} would be {state}";
        }

        var notLive = after.Servers.Where(s => !s.IsLive).Select(GroupStatusEvaluator.Describe);
        return $"{after.Name} would be {state} ({string.Join(", ", notLive)})";
    }
}
