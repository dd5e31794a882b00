using System.ComponentModel;

namespace Gantry.Engine.Model;

/// <summary>
/// The fields every load balancer has. Each product derives its own settings class with its own
/// fields and registers it under its provider name (<see cref="LoadBalancerProviders"/>); the
/// environment loader binds <c>load_balancer:</c> to the class its <c>provider:</c> names, so a
/// field of another product is a located error. Provider <c>none</c> is this class itself.
/// </summary>
public class LoadBalancerSettings
{
    [Description(
        "The product that drives the load balancer: sandbox (simulated, in-process), haproxy (runtime API), nginx (upstream file + reload), none, "
        + "or one a plugin registers.")]
    public string Provider { get; set; } = LoadBalancerProviders.Sandbox;

    [Description("Backend (HAProxy) or upstream (nginx) name.")]
    public string Backend { get; set; } = "web";

    [Description("Actions that would leave fewer live groups than this are refused.")]
    public int MinLiveGroups { get; set; } = 1;

    [Description("How long in-flight sessions may take to drain.")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(60);

    [Description("Put a server in maintenance anyway when draining times out.")]
    public bool ForceAfterDrainTimeout { get; set; }

    [Description("How long a server may take to pass health checks after it is made ready.")]
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Description("How often the load balancer's state is read while waiting for a drain or a health check.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Problems that span fields or the rest of the environment (a field the product needs, a host
    /// name to look up), each as the field's document name and a message saying what was expected.
    /// The loader locates each at the field's value, or at the block when the field is absent.
    /// </summary>
    public virtual IEnumerable<(string Field, string Message)> Check(EnvironmentDefinition environment) => [];
}
