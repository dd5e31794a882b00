using System.ComponentModel;
using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Settings of <c>provider: haproxy</c>: servers are drained and readied over HAProxy's runtime API.</summary>
public sealed class HAProxySettings : LoadBalancerSettings
{
    [Description("HAProxy runtime API address: unix:///path/admin.sock or tcp://host:port.")]
    public string? Address { get; set; }

    public override IEnumerable<(string Field, string Message)> Check(EnvironmentDefinition environment)
    {
        if (string.IsNullOrWhiteSpace(Address))
        {
            yield return ("address", "haproxy needs the runtime API address, e.g. unix:///run/haproxy/admin.sock or tcp://127.0.0.1:9999");
        }
    }
}
