using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>An environment's groups as the load balancer sees them: group → server names, and the minimum live groups.</summary>
internal sealed class CapacityTopology
{
    private readonly Dictionary<string, string> _serverByName = new(StringComparer.Ordinal);

    public CapacityTopology(EnvironmentDefinition environment)
    {
        EnvironmentId = environment.Id;
        MinLiveGroups = environment.LoadBalancer.MinLiveGroups;
        Groups = environment.Groups.ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<string>)g.Value.Hosts.Select(h => environment.Hosts.TryGetValue(h, out var host) ? host.LbServer ?? h : h).ToList(),
            StringComparer.Ordinal);
        foreach (var server in Groups.Values.SelectMany(s => s))
        {
            _serverByName[server] = server;
        }

        // lb.drain and lb.ready take the server name, but a host name is what people write.
        foreach (var (name, host) in environment.Hosts)
        {
            _serverByName.TryAdd(name, host.LbServer ?? name);
        }
    }

    public string EnvironmentId { get; }

    public int MinLiveGroups { get; }

    /// <summary>Group → its servers, in the environment's order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    public IReadOnlyList<string> HostsOf(string group) => Groups[group];

    /// <summary>The load balancer's server for a host or server name; null when the environment has neither.</summary>
    public string? ServerOf(string name) => _serverByName.GetValueOrDefault(name);
}
