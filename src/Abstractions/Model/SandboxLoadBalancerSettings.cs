using System.ComponentModel;

namespace Gantry.Engine.Model;

/// <summary>Settings of the simulated, in-process load balancer (<c>provider: sandbox</c>, the default).</summary>
public sealed class SandboxLoadBalancerSettings : LoadBalancerSettings
{
    [Description("Sandbox: simulated delay of each load-balancer change.")]
    public TimeSpan SimulatedDelay { get; set; } = TimeSpan.Zero;
}
