using Gantry.Engine.Model;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.Sandbox;

/// <summary>
/// Simulated host deploys with the same contract as SSH: releases kept per host, an atomic switch
/// of current, restart, health; a host listed in <c>sandbox_fail_restart</c> fails its restart, and one
/// listed in <c>sandbox_down</c> fails its health check; either is put back on its previous release, unless it is
/// also listed in <c>sandbox_fail_rollback</c>: then putting it back fails too and its state is unknown (quarantined).
/// </summary>
internal sealed class SandboxDeployer(TimeProvider time) : IFleetDeployer
{
    public async Task<FleetResult> DeployAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        var fleet = new SandboxFleet(request.Environment, request.DataDirectory);
        var failing = fleet.InjectedList("sandbox_fail_restart");
        var rollbackFailing = fleet.InjectedList("sandbox_fail_rollback");

        // A host listed in sandbox_down never passes its health check (when one is configured).
        IReadOnlyList<string> unhealthy = request.Environment.Deploy.Health is null ? [] : fleet.InjectedList("sandbox_down");
        var outcomes = new HostOutcome[request.Hosts.Count];
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, request.Hosts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxParallel), CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var host = request.Hosts[index];
                await Task.Delay(request.Environment.Deploy.SimulatedDelay, time, token).ConfigureAwait(false);
                outcomes[index] = fleet.Update(state =>
                {
                    LeaseGuard.ThrowIfLost();
                    var simulated = state.Hosts[host];
                    var previous = simulated.Current;
                    if (failing.Contains(host) && rollbackFailing.Contains(host))
                    {
                        request.Log.Warn($"restart failed; putting it back on {previous} failed too", host);
                        return new HostOutcome(host, false, null, previous,
                            $"{host}: restart command `{request.Environment.Deploy.Restart ?? "restart"}` exited 1: simulated failure "
                            + $"(sandbox_fail_restart); ROLLING BACK TO {previous} ALSO FAILED (sandbox_fail_rollback), CHECK THE HOST NOW",
                            Unsettled: true);
                    }

                        if (failing.Contains(host))
                        {
                            request.Log.Warn($"restart failed; back on {previous}", host);
                            return new HostOutcome(
                                host,
                                false,
                                previous,
                                previous,
                                $"{host}: restart command `{request.Environment.Deploy.Restart ?? "restart"}` exited 1: simulated failure "
                                + $"(sandbox_fail_restart); {host} is back on {previous}");
                        }

                    if (unhealthy.Contains(host))
                    {
                        request.Log.Warn($"health check failed; back on {previous}", host);
                        return new HostOutcome(host, false, previous, previous,
                            $"{host}: health check failed after the restart: simulated (sandbox_down); {host} is back on {previous}");
                    }

                    if (!simulated.Releases.Contains(request.Release!))
                    {
                        simulated.Releases.Add(request.Release!);
                    }

                    simulated.Current = request.Release;
                    simulated.Revisions.Add(Revision.Format(time.GetUtcNow(), "deploy", request.Release!, previous, request.RunId, commit: null));
                    while (simulated.Releases.Count > request.KeepReleases)
                    {
                        var oldest = simulated.Releases.First(r => r != simulated.Current && r != previous);
                        simulated.Releases.Remove(oldest);
                    }

                    request.Log.Info($"now on {request.Release}", host);
                    return new HostOutcome(host, true, request.Release, previous, null);
                });
                request.Log.Progress(Interlocked.Increment(ref done), request.Hosts.Count, outcomes.Count(o => o is { Succeeded: false }));
            }).ConfigureAwait(false);
        return new FleetResult(outcomes);
    }

    /// <summary>The sandbox keeps no trees to fetch: staging checks the hosts exist and says what each still serves.</summary>
    public Task<FleetResult> StageAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        var state = new SandboxFleet(request.Environment, request.DataDirectory).Read();
        var outcomes = request.Hosts.Select(host =>
        {
            var current = state.Hosts[host].Current;
            request.Log.Info($"staged {request.Release} (simulated); still serving {current ?? "nothing"}", host);
            return new HostOutcome(host, true, current, null, null);
        }).ToList();
        return Task.FromResult(new FleetResult(outcomes));
    }

    public Task<FleetResult> RollbackAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        var fleet = new SandboxFleet(request.Environment, request.DataDirectory);
        var outcomes = request
            .Hosts.Select(host =>
                fleet.Update(state =>
                {
                    LeaseGuard.ThrowIfLost();
                    var simulated = state.Hosts[host];
                    var target = request.Release ?? Previous(simulated);
                    if (target is null || !simulated.Releases.Contains(target))
                    {
                        return new HostOutcome(
                            host,
                            false,
                            simulated.Current,
                            null,
                            $"{host} does not have release {target ?? "(no previous release)"}; it has: {string.Join(", ", simulated.Releases)}");
                    }

            var from = simulated.Current;
            simulated.Current = target;
            simulated.Revisions.Add(Revision.Format(time.GetUtcNow(), "rollback", target, from, request.RunId, commit: null));
            request.Log.Info($"rolled back to {target}", host);
            return new HostOutcome(host, true, target, from, null);
        })).ToList();
        return Task.FromResult(new FleetResult(outcomes));
    }

    /// <summary>The sandbox deploys every release it has itself: there is never anything to adopt.</summary>
    public Task<IReadOnlyList<HostAdoption>> AdoptAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        var state = new SandboxFleet(request.Environment, request.DataDirectory).Read();
        IReadOnlyList<HostAdoption> result = request.Hosts.Select(h => new HostAdoption(h, state.Hosts[h].Current, [], [])).ToList();
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(FleetRequest request, CancellationToken cancellationToken) =>
        ReadStateAsync(request.Environment, request.Hosts, request.DataDirectory, probeHealth: false, cancellationToken);

    public Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(
        EnvironmentDefinition environment,
        IReadOnlyList<string> hosts,
        string dataDirectory,
        bool probeHealth,
        CancellationToken cancellationToken)
    {
        var fleet = new SandboxFleet(environment, dataDirectory);
        var state = fleet.Read();
        var down = fleet.InjectedList("sandbox_down");
        IReadOnlyList<HostReleaseState> result = hosts.Select(h =>
        {
            var host = state.Hosts[h];
            var newestFirst = Enumerable.Reverse(host.Releases).ToList();
            bool? healthy = probeHealth && environment.Deploy.Health is not null ? !down.Contains(h) : null;
            return new HostReleaseState(h, host.Current, Previous(host), newestFirst, host.Revisions, healthy,
                healthy == false ? "health check failed: simulated (sandbox_down)" : null);
        }).ToList();
        return Task.FromResult(result);
    }

    /// <summary>
    /// What the host ran before its current release, as its revisions recorded the switch (as on a
    /// real host); the newest other release kept when they do not say.
    /// </summary>
    private static string? Previous(SimulatedHost host) =>
        host.Revisions.Select(Revision.Parse).LastOrDefault(r => r is { Action: "deploy" } && r.Release == host.Current)?.Previous is { } recorded
        && host.Releases.Contains(recorded)
            ? recorded
            : host.Releases.Where(r => r != host.Current).LastOrDefault();
}
