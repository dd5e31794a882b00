using Gantry.Engine.Model;
using Gantry.Providers.Deploy;
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

    /// <param name="quarantine">The environment's quarantined hosts, read from the store (see <see cref="Quarantine.ForLoadBalancerAsync"/>); none when null.</param>
    public LoadBalancerController Create(EnvironmentDefinition environment, string dataDirectory, ServerQuarantine? quarantine = null)
    {
        var settings = environment.LoadBalancer;
        ILoadBalancerDriver driver = _drivers.TryGetValue(settings.Provider, out var custom)
            ? custom(environment, dataDirectory)
            : settings.Provider switch
            {
                LoadBalancerProvider.Sandbox => new SandboxLoadBalancerDriver(new SandboxFleet(environment, dataDirectory), time),
                LoadBalancerProvider.Haproxy => HAProxyLoadBalancer.CreateDriver(settings.Address!, settings.Backend, timeProvider: time, probe: EnvironmentHealthProbe.For(environment, time, once: true)),
                LoadBalancerProvider.Nginx => NginxDriverFor(environment),
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
            PollInterval = settings.PollInterval,
            SettleDelay = settings.SettleDelay,
        };
        return new LoadBalancerController(driver, groups, settings.MinLiveGroups, timings, quarantine);
    }

    private NginxDriver NginxDriverFor(EnvironmentDefinition environment)
    {
        // nginx OSS keeps no health state: each host is asked with the deploy's health check before it goes live.
        var probe = EnvironmentHealthProbe.For(environment, time);
        if (environment.LoadBalancer.SshHost is not { Length: > 0 } name)
        {
            return new NginxDriver(NginxOptionsFor(environment, remote: false), timeProvider: time, probe: probe);
        }

        if (!environment.Hosts.TryGetValue(name, out var settings))
        {
            throw new LoadBalancerException($"environment {environment.Id}: load_balancer.ssh_host '{name}' is not a host under hosts: (it has: {string.Join(", ", environment.Hosts.Keys)})");
        }

        // The same known_hosts, key and secrets as a deploy over SSH; there is no run here, so a
        // key_secret is read straight from its reference.
        var options = SshFleetDeployer.Options(environment, secret => SshFleetDeployer.ReadSecretReference(environment, secret), static text => text, log: null);
        var host = new SshLoadBalancerHost(SshFleetDeployer.Host(environment, name, settings), options, time);
        return new NginxDriver(NginxOptionsFor(environment, remote: true), new SshCommandRunner(host), new SshConfigFileStore(host), time, probe);
    }

    private static NginxOptions NginxOptionsFor(EnvironmentDefinition environment, bool remote)
    {
        var folder = Path.GetDirectoryName(environment.SourcePath) ?? ".";
        var settings = environment.LoadBalancer;

        // Paths on the load-balancer host cannot be relative to the environment file on this machine.
        string Resolve(string path) => remote
            ? path.StartsWith('/') ? path : throw new LoadBalancerException($"environment {environment.Id}: load_balancer.config_file and main_config must be absolute paths on {settings.SshHost} when ssh_host is set; '{path}' is not")
            : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));
        return new NginxOptions
        {
            UpstreamName = settings.Backend,
            UpstreamConfigPath = Resolve(settings.ConfigFile!),
            MainConfigPath = settings.MainConfig is null ? null : Resolve(settings.MainConfig),
            NginxPath = settings.NginxPath,
            TestCommand = settings.TestCommand is { Count: > 0 } test ? test : null,
            ReloadCommand = settings.ReloadCommand is { Count: > 0 } reload ? reload : null,
            // The host that runs nginx is under hosts: to be reached over SSH; unless a group also
            // serves from it, it is no upstream server.
            Servers = environment.Hosts
                .Where(h => h.Key != settings.SshHost || environment.Groups.Values.Any(g => g.Hosts.Contains(h.Key)))
                .ToDictionary(
                    h => h.Value.LbServer ?? h.Key,
                    h => h.Value.Vars.TryGetValue("upstream", out var upstream) && upstream is string address ? address : h.Value.Address),
        };
    }
}
