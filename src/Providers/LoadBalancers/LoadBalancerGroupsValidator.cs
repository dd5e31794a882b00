namespace Gantry.Providers.LoadBalancers;

/// <summary>Checks a group map once, reporting every problem together.</summary>
internal static class LoadBalancerGroupsValidator
{
    public static void ThrowIfInvalid(IReadOnlyDictionary<string, IReadOnlyList<string>> groups, int minLiveGroups)
    {
        var problems = new List<string>();
        if (groups.Count == 0)
        {
            problems.Add("no groups are configured; a load balancer needs at least one group of servers");
        }

        problems.AddRange(groups.Where(g => g.Value.Count == 0).Select(g => $"group \"{g.Key}\" has no servers"));
        problems.AddRange(
            groups
                .SelectMany(g => g.Value.Select(server => (Group: g.Key, Server: server)))
                .GroupBy(p => p.Server, StringComparer.Ordinal)
                .Where(p => p.Count() > 1)
                .Select(p =>
                    $"server \"{p.Key}\" is in more than one group ({string.Join(", ", p.Select(x => x.Group))}); a server belongs to exactly one "
                    + "group"));
        if (minLiveGroups < 0 || minLiveGroups > groups.Count)
        {
            problems.Add($"min_live_groups is {minLiveGroups}; expected a number from 0 to {groups.Count} (the number of groups)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(groups));
        }
    }
}
