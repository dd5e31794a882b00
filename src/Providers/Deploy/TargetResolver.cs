using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Turns a deploy target into hosts: <c>out</c> is the group the load balancer reports out of
/// rotation now (asked, never remembered); a group name is that group; <c>all</c> is every host of
/// every group; acting on a live group is refused unless allowed.
/// </summary>
internal sealed class TargetResolver(LoadBalancerFactory loadBalancers)
{
    public Task<(string? Group, IReadOnlyList<string> Hosts)> ResolveAsync(
        EnvironmentDefinition environment,
        string target,
        IReadOnlyList<string> hosts,
        bool allowLive,
        string dataDirectory,
        CancellationToken cancellationToken
    ) => ResolveAsync(environment, target, hosts, allowLive, dataDirectory, "deploy to", cancellationToken);

    /// <param name="action">What the refusal says is refused, e.g. <c>deploy to</c> or <c>run commands on</c>.</param>
    public async Task<(string? Group, IReadOnlyList<string> Hosts)> ResolveAsync(
        EnvironmentDefinition environment,
        string target,
        IReadOnlyList<string> hosts,
        bool allowLive,
        string dataDirectory,
        string action,
        CancellationToken cancellationToken)
    {
        if (hosts.Count > 0)
        {
            var unknown = hosts.Where(h => !environment.Hosts.ContainsKey(h)).ToList();
            return unknown.Count > 0
                ? throw new DeployException(
                    $"unknown host(s) {string.Join(", ", unknown)} (environment {environment.Id} has: {string.Join(", ", environment.Hosts.Keys)})")
                : (null, hosts);
        }

        var hasBalancer = environment.LoadBalancer.Provider != LoadBalancerProviders.None;
        LoadBalancerStatus? status = hasBalancer
            ? await loadBalancers.Create(environment, dataDirectory).GetStatusAsync(cancellationToken).ConfigureAwait(false)
            : null;
        if (target == "all")
        {
            var live = status?.Groups.Where(g => g.State != GroupState.Out).Select(g => g.Name).ToList() ?? [];
            if (!allowLive && live.Count > 0)
            {
                throw new DeployException(
                    $"refusing to {action} all: {string.Join(", ", live)} {(live.Count == 1 ? "is" : "are")} not out of rotation "
                    + $"({Describe(status!)}); set allow_live: true");
            }

            return ("all", environment.Groups.Values.SelectMany(g => g.Hosts).Distinct(StringComparer.Ordinal).ToList());
        }

        string group;
        if (target == "out")
        {
            if (status is null)
            {
                throw new DeployException($"target 'out' needs a load balancer; environment {environment.Id} has none (use a group name)");
            }

            var outGroups = status.GroupsIn(GroupState.Out);
            group = outGroups.Count switch
            {
                1 => outGroups[0],
                0 => throw new DeployException(
                    $"no group is out of rotation ({Describe(status)}); take one out first, e.g. lb.live with the other groups"),
                _ => throw new DeployException($"more than one group is out of rotation ({Describe(status)}); name the group to deploy to"),
            };
        }
        else if (environment.Groups.ContainsKey(target))
        {
            group = target;
        }
        else
        {
            throw new DeployException(
                $"unknown target '{target}'{Engine.Diagnostics.Suggest.Hint(target, environment.Groups.Keys)}; expected out, all, or a group: "
                + $"{string.Join(", ", environment.Groups.Keys)}");
        }

        if (!allowLive && status is not null && status[group].State != GroupState.Out)
        {
            throw new DeployException(
                $"refusing to {action} {group}: it is {status[group].State.ToString().ToLowerInvariant()} in the load balancer "
                + $"({Describe(status)}); take it out first or set allow_live: true");
        }

        return (group, environment.Groups[group].Hosts);
    }

    private static string Describe(LoadBalancerStatus status) =>
        string.Join(", ", status.Groups.Select(g => $"{g.Name} {g.State.ToString().ToLowerInvariant()}"));
}
