using Gantry.Engine.Model;
using Gantry.Providers.Deploy;

namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Builds the controller for an environment's load balancer, whatever the product, so workflows
/// never name the provider: the same rolling-deploy runs on HAProxy, nginx and the sandbox.
/// </summary>
public sealed class LoadBalancerFactory
{
    private readonly TimeProvider _time;

    // By provider name; a later registration of a name (a plugin's) replaces an earlier one.
    private readonly Dictionary<string, LoadBalancerDriverRegistration> _drivers = new(StringComparer.Ordinal);

    /// <summary>A factory that knows the products Gantry ships: sandbox, haproxy, nginx and none.</summary>
    public LoadBalancerFactory(TimeProvider time)
        : this(time, [])
    {
    }

    /// <summary>The built-in products and then <paramref name="registrations"/> (those <c>AddLoadBalancer</c> added).</summary>
    internal LoadBalancerFactory(TimeProvider time, IEnumerable<LoadBalancerDriverRegistration> registrations)
    {
        _time = time;
        foreach (var registration in BuiltInLoadBalancers.All.Concat(registrations))
        {
            _drivers[registration.Name] = registration;
        }
    }

    /// <param name="quarantine">The environment's quarantined hosts, read from the store (see <see cref="Quarantine.ForLoadBalancerAsync"/>); none
    /// when null.</param>
    public LoadBalancerController Create(EnvironmentDefinition environment, string dataDirectory, ServerQuarantine? quarantine = null)
    {
        ArgumentNullException.ThrowIfNull(environment);

        var settings = environment.LoadBalancer;
        if (!_drivers.TryGetValue(settings.Provider, out var registration))
        {
            throw new LoadBalancerException(
                $"environment {environment.Id}: load balancer provider '{settings.Provider}' has no driver in this host (it has: "
                + $"{string.Join(", ", _drivers.Keys.Order(StringComparer.Ordinal))}); load the plugin that adds it, or register it with "
                + "services.AddLoadBalancer");
        }

        var driver = registration.Create(settings, new LoadBalancerContext(environment, dataDirectory, _time));
        var groups = environment.Groups.ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<string>)g.Value.Hosts.Select(h => environment.Hosts.TryGetValue(h, out var host) ? host.LbServer ?? h : h).ToList());
        var timings = new LoadBalancerTimings
        {
            DrainTimeout = settings.DrainTimeout,
            ForceAfterDrainTimeout = settings.ForceAfterDrainTimeout,
            HealthTimeout = settings.HealthTimeout,
            PollInterval = settings.PollInterval,
        };
        return new LoadBalancerController(driver, groups, settings.MinLiveGroups, timings, quarantine);
    }
}
