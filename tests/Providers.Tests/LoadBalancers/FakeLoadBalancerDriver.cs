using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Tests.LoadBalancers;

/// <summary>An in-memory load balancer that records every call, for controller rules without HAProxy.</summary>
internal sealed class FakeLoadBalancerDriver : ILoadBalancerDriver
{
    private readonly Dictionary<string, ServerState> _servers;

    public FakeLoadBalancerDriver(params string[] names)
    {
        _servers = names.ToDictionary(n => n, n => new ServerState(n, AdminState.Ready, HealthState.Up, 0, 1));
    }

    public List<string> Calls { get; } = [];

    public void Set(string name, AdminState admin, HealthState health = HealthState.Up) =>
        _servers[name] = _servers[name] with { Admin = admin, Health = health };

    public Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ServerState>>(_servers.Values.ToList());

    public Task TakeOutAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        Calls.Add("out " + string.Join(",", servers));
        foreach (var s in servers)
        {
            Set(s, AdminState.Maint, _servers[s].Health);
        }

        return Task.CompletedTask;
    }

    public Task BringLiveAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        Calls.Add("live " + string.Join(",", servers));
        foreach (var s in servers)
        {
            Set(s, AdminState.Ready, _servers[s].Health);
        }

        return Task.CompletedTask;
    }
}
