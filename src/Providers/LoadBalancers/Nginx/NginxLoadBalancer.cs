using Gantry.Engine.Model;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary><c>provider: nginx</c>: builds the nginx driver, local or over SSH, from <see cref="NginxSettings"/>.</summary>
internal static class NginxLoadBalancer
{
    public static LoadBalancerDriverRegistration Registration { get; } = LoadBalancerDriverRegistration.For<NginxSettings>("nginx", DriverFor);

    private static NginxDriver DriverFor(NginxSettings settings, LoadBalancerContext context)
    {
        var (environment, _, time) = context;

        // nginx OSS keeps no health state: each host is asked with the deploy's health check before it goes live.
        var probe = EnvironmentHealthProbe.For(environment, time);
        if (settings.SshHost is not { Length: > 0 } name)
        {
            return new NginxDriver(OptionsFor(settings, environment, remote: false), timeProvider: time, probe: probe);
        }

        if (!environment.Hosts.TryGetValue(name, out var hostSettings))
        {
            throw new LoadBalancerException(
                $"environment {environment.Id}: load_balancer.ssh_host '{name}' is not a host under hosts: (it has: "
                + $"{string.Join(", ", environment.Hosts.Keys)})");
        }

        // The same known_hosts, key and secrets as a deploy over SSH; there is no run here, so a
        // key_secret is read straight from its reference.
        var options = SshEnvironment.Options(
            environment,
            secret => EnvironmentReferences.Secret(environment, secret),
            static text => text,
            log: null);
        var host = new SshLoadBalancerHost(SshEnvironment.Host(environment, name, hostSettings), options, time);
        return new NginxDriver(
            OptionsFor(settings, environment, remote: true),
            new SshCommandRunner(host),
            new SshConfigFileStore(host),
            time,
            probe);
    }

    private static NginxOptions OptionsFor(NginxSettings settings, EnvironmentDefinition environment, bool remote)
    {
        var folder = Path.GetDirectoryName(environment.SourcePath) ?? ".";

        // Paths on the load-balancer host cannot be relative to the environment file on this machine.
        string Resolve(string path) =>
            remote
                ? path.StartsWith('/')
                    ? path
                    : throw new LoadBalancerException(
                        $"environment {environment.Id}: load_balancer.config_file and main_config must be absolute paths on {settings.SshHost} when "
                        + $"ssh_host is set; '{path}' is not")
                : Path.IsPathRooted(path)
                    ? path
                    : Path.GetFullPath(Path.Combine(folder, path));
        return new NginxOptions
        {
            UpstreamName = settings.Backend,
            UpstreamConfigPath = Resolve(settings.ConfigFile!),
            MainConfigPath = settings.MainConfig is null ? null : Resolve(settings.MainConfig),
            NginxPath = settings.NginxPath,
            TestCommand = settings.TestCommand is { Count: > 0 } test ? test : null,
            ReloadCommand = settings.ReloadCommand is { Count: > 0 } reload ? reload : null,
            SettleDelay = settings.SettleDelay,
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
