using Gantry.Engine.Model;
using Gantry.Engine.Stores;
using Gantry.Providers.Deploy;
using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Status;

/// <summary>
/// Reads <see cref="FleetStatus"/>: the load balancer's state and every host's deploy state (one SSH
/// command per host, hosts in parallel, plus one health probe each), both at once. A host or load
/// balancer that cannot be read is reported, never fatal. Shared by <c>gantry status</c> and
/// <c>GET /api/environments/{id}/status</c>.
/// </summary>
public sealed class FleetStatusReader
{
    private readonly LoadBalancerFactory _loadBalancers;
    private readonly FleetDeployerFactory _deployers;
    private readonly TimeProvider _time;
    private readonly IHostQuarantine _quarantine;

    internal FleetStatusReader(LoadBalancerFactory loadBalancers, FleetDeployerFactory deployers, TimeProvider time, IHostQuarantine quarantine)
    {
        _quarantine = quarantine;
        _loadBalancers = loadBalancers;
        _deployers = deployers;
        _time = time;
    }

    /// <summary>Reads the environment now.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="dataDirectory">Gantry's data folder (the sandbox keeps its simulated fleet there).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<FleetStatus> ReadAsync(EnvironmentDefinition environment, string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var hosts = environment.Groups.Values.SelectMany(g => g.Hosts).Distinct(StringComparer.Ordinal).ToList();
        var quarantine = new Quarantine(_quarantine, environment.Id);
        var quarantined = await quarantine.ReadAsync(cancellationToken).ConfigureAwait(false);
        var balancer = ReadBalancerAsync(
            environment,
            dataDirectory,
            await quarantine.ForLoadBalancerAsync(environment, cancellationToken).ConfigureAwait(false),
            cancellationToken);
        var states = ReadHostsAsync(environment, hosts, dataDirectory, cancellationToken);
        var (status, balancerError) = await balancer.ConfigureAwait(false);
        var byHost = (await states.ConfigureAwait(false)).ToDictionary(s => s.Host, StringComparer.Ordinal);
        var groups = environment.Groups.Select(g =>
        {
            var lb = status?.Groups.FirstOrDefault(s => s.Name == g.Key);
            var members = g.Value.Hosts.Select(h => Host(environment, g.Key, byHost[h], lb) with
            {
                Quarantine = quarantined.TryGetValue(h, out var q)
                    ? $"QUARANTINED by run {q.Run} since {q.Since:yyyy-MM-dd HH:mm:ss}Z: {q.Reason}"
                    : null,
            }).ToList();
            return new FleetGroupStatus(g.Key, lb?.State, lb?.Servers ?? [], members);
        }).ToList();
        return new FleetStatus(environment.Id, _time.GetUtcNow(), groups, balancerError);
    }

    private async Task<(LoadBalancerStatus? Status, string? Error)> ReadBalancerAsync(
        EnvironmentDefinition environment,
        string dataDirectory,
        ServerQuarantine quarantine,
        CancellationToken cancellationToken)
    {
        if (environment.LoadBalancer.Provider == LoadBalancerProviders.None)
        {
            return (null, null);
        }

        try
        {
            return (
                await _loadBalancers.Create(environment, dataDirectory, quarantine).GetStatusAsync(cancellationToken).ConfigureAwait(false),
                null);
        }
        catch (Exception ex)
            when (ex is LoadBalancerException or IOException or ArgumentException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return (null, ex.Message);
        }
    }

    private async Task<IReadOnlyList<HostReleaseState>> ReadHostsAsync(
        EnvironmentDefinition environment,
        IReadOnlyList<string> hosts,
        string dataDirectory,
        CancellationToken cancellationToken)
    {
        try
        {
            return await _deployers
                .Create(environment)
                .ReadStateAsync(environment, hosts, dataDirectory, probeHealth: true, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DeployException or ArgumentException)
        {
            // A settings problem (no known_hosts, bad layout) is the same for every host.
            return hosts.Select(h => new HostReleaseState(h, null, null, [], [], Error: ex.Message)).ToList();
        }
    }

    private static FleetHostStatus Host(EnvironmentDefinition environment, string group, HostReleaseState state, GroupStatus? lb)
    {
        var revisions = state.History.Select(Revision.Parse).OfType<Revision>().ToList();
        var releases = state.Releases.Select(name =>
        {
            var last = revisions.LastOrDefault(r => r.Release == name);
            return new KeptRelease(name, name == state.Current, last?.Time, last?.Action, last?.Run, last?.Commit);
        }).ToList();
        var server = environment.Hosts.TryGetValue(state.Host, out var settings) ? settings.LbServer ?? state.Host : state.Host;
        var view = lb?.Servers.FirstOrDefault(s => s.Name == server) is { } s
            ? new HostBalancerView(s.Name, s.IsLive, s.Admin, s.Health, s.CurrentSessions)
            : null;
        return new FleetHostStatus(
            state.Host,
            group,
            state.Current,
            releases,
            state.Healthy,
            state.HealthProblem,
            view,
            Drift(state, revisions),
            state.Error)
        {
            Foreign = state.Foreign,
        };
    }

    /// <summary>Says when current is not what Gantry last put there: someone switched it by hand.</summary>
    private static string? Drift(HostReleaseState state, IReadOnlyList<Revision> revisions)
    {
        if (state.Error is not null || state.Current is null)
        {
            return null;
        }

        if (state.Foreign.Contains(state.Current))
        {
            // Named as such by the status itself (current is another tool's release), not as drift.
            return null;
        }

        if (revisions.Count == 0)
        {
            return $"current is {state.Current} but revisions.log records no deploy: it was put there outside Gantry";
        }

        // Lines for older releases found when the host was adopted are not switches.
        var last = revisions.LastOrDefault(r => r.Action != ReleaseAdopter.FoundAction) ?? revisions[^1];
        return last.Release == state.Current
            ? null
            : $"current is {state.Current} but revisions.log last recorded {last.Action} of "
                + $"{last.Release}{(last.Run is null ? "" : $" by run {last.Run}")}: it was switched outside Gantry";
    }
}
