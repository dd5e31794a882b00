using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.Sandbox;

/// <summary>The simulated load balancer: same contract as HAProxy's driver, state in the sandbox fleet file.</summary>
internal sealed class SandboxLoadBalancerDriver(SandboxFleet fleet, TimeProvider time) : ILoadBalancerDriver
{
    // An environment built in code may carry the shared settings class: no simulated delay then.
    private TimeSpan SimulatedDelay => (fleet.Environment.LoadBalancer as SandboxLoadBalancerSettings)?.SimulatedDelay ?? TimeSpan.Zero;

    public Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken)
    {
        var down = fleet.InjectedList("sandbox_down");
        IReadOnlyList<ServerState> servers = fleet
            .Read()
            .Servers.Select(s => new ServerState(
                s.Key,
                s.Value.Admin,
                down.Contains(s.Key) ? HealthState.Down : s.Value.Health,
                0,
                1,
                down.Contains(s.Key) ? "L4CON (simulated)" : "L7OK (simulated)"))
            .ToList();
        return Task.FromResult(servers);
    }

    public async Task TakeOutAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        Set(servers, AdminState.Drain, "drain");
        await Task.Delay(SimulatedDelay, time, cancellationToken).ConfigureAwait(false);
        Set(servers, AdminState.Maint, "maint");
        progress?.Report($"{string.Join(", ", servers)} out of rotation");
    }

    public async Task BringLiveAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        Set(servers, AdminState.Ready, "ready");
        await Task.Delay(SimulatedDelay, time, cancellationToken).ConfigureAwait(false);
        var down = fleet.InjectedList("sandbox_down").Intersect(servers).ToList();
        if (down.Count > 0)
        {
            throw new LoadBalancerException(
                $"sandbox: {string.Join(", ", down)} did not pass health checks within {options.HealthTimeout.TotalSeconds:0}s (last check: L4CON, "
                + "simulated)");
        }

        progress?.Report($"{string.Join(", ", servers)} live");
    }

    private void Set(IReadOnlyList<string> servers, AdminState admin, string word) => fleet.Update(state =>
    {
        LeaseGuard.ThrowIfLost();
        foreach (var server in servers)
        {
            state.Servers[server].Admin = admin;
        }

        state.History.Add($"{word} {string.Join(",", servers)}");
        return 0;
    });
}
