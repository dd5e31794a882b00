using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Engine.Stores;
using Gantry.Providers.LoadBalancers;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Hosts of an environment left in an unknown state (a failed host whose rollback failed too):
/// kept in maintenance until someone acts on them (<c>lb.ready</c> on the host, or a later deploy
/// that succeeds on it). Kept in the store every node shares (<see cref="IHostQuarantine"/>), since
/// the host itself may be unreachable and the next load-balancer step may run on another node; the
/// load balancer, <c>gantry status</c> and the deploy steps read it.
/// </summary>
internal sealed class Quarantine(IHostQuarantine store, string environmentId)
{
    /// <summary>The quarantine of the run's environment, from the store the run's process uses.</summary>
    public static Quarantine Of(ActivityContext context, EnvironmentDefinition environment) =>
        new(context.Services.GetRequiredService<IHostQuarantine>(), environment.Id);

    /// <summary>Quarantined hosts by host name; empty when none.</summary>
    public async Task<IReadOnlyDictionary<string, QuarantinedHost>> ReadAsync(CancellationToken cancellationToken) =>
        (await store.ListAsync(environmentId, cancellationToken).ConfigureAwait(false)).ToDictionary(h => h.Host, StringComparer.Ordinal);

    /// <summary>
    /// After a deploy or rollback step: quarantines each host it left unsettled, and takes each host
    /// it put on a release successfully out of quarantine. Returns the hosts quarantined now.
    /// </summary>
    public async Task<IReadOnlyList<string>> RecordAsync(
        FleetResult result,
        string runId,
        DateTimeOffset now,
        IStepLog log,
        CancellationToken cancellationToken)
    {
        var quarantined = await ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var host in result.Hosts.Where(h => h.Succeeded && quarantined.ContainsKey(h.Host)))
        {
            await store.ReleaseAsync(environmentId, host.Host, cancellationToken).ConfigureAwait(false);
            log.Info($"{host.Host} is out of quarantine: it is on {host.Current} and healthy", host.Host);
        }

        var unsettled = result.Hosts.Where(h => h.Unsettled).ToList();
        foreach (var host in unsettled)
        {
            await store
                .AddAsync(new QuarantinedHost(environmentId, host.Host, host.Error ?? "its state is unknown", runId, now), cancellationToken)
                .ConfigureAwait(false);
            log.Warn(
                $"{host.Host} is quarantined: left in maintenance, skipped by lb.restore and lb.all until lb.ready on it or a deploy that succeeds "
                + "on it",
                host.Host);
        }

        return unsettled.Select(h => h.Host).ToList();
    }

    /// <summary>The sentence a failed step's message ends with when it quarantined hosts.</summary>
    public static string Describe(IReadOnlyList<string> hosts) =>
        hosts.Count == 0
            ? ""
            : $". QUARANTINED (left out of rotation until lb.ready on it or a deploy that succeeds on it): {string.Join(", ", hosts)}";

    /// <summary>The quarantined hosts as the load balancer names them, read now, with a release that takes a server's host out.</summary>
    public async Task<ServerQuarantine> ForLoadBalancerAsync(EnvironmentDefinition environment, CancellationToken cancellationToken)
    {
        var hosts = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (hosts.Count == 0)
        {
            return ServerQuarantine.None;
        }

        string Server(string host) => environment.Hosts.TryGetValue(host, out var settings) ? settings.LbServer ?? host : host;
        var byServer = hosts.ToDictionary(h => Server(h.Key), h => h.Key, StringComparer.Ordinal);
        return new ServerQuarantine(
            hosts.ToDictionary(
                h => Server(h.Key),
                h => $"quarantined by run {h.Value.Run} since {h.Value.Since:yyyy-MM-dd HH:mm:ss}Z",
                StringComparer.Ordinal),
            (server, token) => store.ReleaseAsync(environmentId, byServer[server], token));
    }
}
