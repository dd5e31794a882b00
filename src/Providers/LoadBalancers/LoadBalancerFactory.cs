using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.LoadBalancers.Nginx;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Builds the controller for an environment's load balancer, whatever the product, so workflows
/// never name the provider: the same rolling-deploy runs on HAProxy, nginx and the sandbox.
/// </summary>
public sealed class LoadBalancerFactory(TimeProvider time)
{
    /// <summary>Extra drivers by provider name, for teams that bring their own load balancer.</summary>
    private readonly Dictionary<LoadBalancerProvider, Func<EnvironmentDefinition, string, ILoadBalancerDriver>> _drivers = [];

    public void Register(LoadBalancerProvider provider, Func<EnvironmentDefinition, string, ILoadBalancerDriver> create) => _drivers[provider] = create;

    public LoadBalancerController Create(EnvironmentDefinition environment, string dataDirectory)
    {
        var settings = environment.LoadBalancer;
        ILoadBalancerDriver driver = _drivers.TryGetValue(settings.Provider, out var custom)
            ? custom(environment, dataDirectory)
            : settings.Provider switch
            {
                LoadBalancerProvider.Sandbox => new SandboxLoadBalancerDriver(new SandboxFleet(environment, dataDirectory), time),
                LoadBalancerProvider.Haproxy => HAProxyLoadBalancer.CreateDriver(settings.Address!, settings.Backend, timeProvider: time),
                LoadBalancerProvider.Nginx => new NginxDriver(NginxOptionsFor(environment), timeProvider: time),
                LoadBalancerProvider.None => throw new LoadBalancerException($"environment {environment.Id} has no load balancer (load_balancer.provider: none); remove lb.* steps or configure one"),
                _ => throw new LoadBalancerException($"load balancer provider '{settings.Provider.ToString().ToLowerInvariant()}' is not available in this build"),
            };
        var groups = environment.Groups.ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<string>)g.Value.Hosts.Select(h => environment.Hosts.TryGetValue(h, out var host) ? host.LbServer ?? h : h).ToList());
        var timings = new LoadBalancerTimings
        {
            DrainTimeout = settings.DrainTimeout,
            ForceAfterDrainTimeout = settings.ForceAfterDrainTimeout,
            HealthTimeout = settings.HealthTimeout,
            SettleDelay = settings.SettleDelay,
        };
        return new LoadBalancerController(driver, groups, settings.MinLiveGroups, timings);
    }

    private static NginxOptions NginxOptionsFor(EnvironmentDefinition environment)
    {
        var folder = Path.GetDirectoryName(environment.SourcePath) ?? ".";
        string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));
        var settings = environment.LoadBalancer;
        return new NginxOptions
        {
            UpstreamName = settings.Backend,
            UpstreamConfigPath = Resolve(settings.ConfigFile!),
            MainConfigPath = settings.MainConfig is null ? null : Resolve(settings.MainConfig),
            Servers = environment.Hosts.ToDictionary(
                h => h.Value.LbServer ?? h.Key,
                h => h.Value.Vars.TryGetValue("upstream", out var upstream) && upstream is string address ? address : h.Value.Address),
        };
    }
}
