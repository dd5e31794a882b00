using Gantry.Engine.Activities;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Puts releases on real hosts over SSH: one connection pool per call (or the run's), one
/// <see cref="DeployTarget"/> per host (<see cref="DeployTargets"/>), <see cref="GroupDeployer"/> for
/// the fleet. Failing hosts are rolled back by <see cref="ReleaseDeployer"/>; the others keep the new
/// release. This file changes hosts (deploy, stage, rollback); reading and adopting them is in
/// SshFleetDeployer.State.cs, where the release comes from in SshFleetDeployer.Source.cs.
/// </summary>
internal sealed partial class SshFleetDeployer(TimeProvider time, SshRunConnections? connections = null) : IFleetDeployer
{
    public async Task<FleetResult> DeployAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var release = ReleaseOf(request);
        var targets = DeployTargets.For(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var adopter = new ReleaseAdopter(borrowed.Pool, time);
        var group = new GroupDeployer(new ReleaseDeployer(borrowed.Pool, timeProvider: time)
        {
            AdoptForeign = (target, token) => AdoptForeignAsync(adopter, request, target, token),
        });
        var source = await SourceAsync(borrowed.Pool, request, targets, cancellationToken).ConfigureAwait(false);
        await using var sourceScope = source.ConfigureAwait(false);
        var options = new GroupDeployOptions
        {
            MaxParallel = Math.Max(1, request.MaxParallel),
            Progress = p => request.Log.Progress(p.Done, p.Total, p.Failed),
        };
        var result = await group.DeployAsync(targets, release, source.Source, request.RunId, options, cancellationToken).ConfigureAwait(false);
        return new FleetResult(result.Hosts.Select(h => Outcome(h, request.Log)).ToList());
    }

    public async Task<FleetResult> StageAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var release = ReleaseOf(request);
        var targets = DeployTargets.For(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var deployer = new ReleaseDeployer(borrowed.Pool, timeProvider: time);
        var source = await SourceAsync(borrowed.Pool, request, targets, cancellationToken).ConfigureAwait(false);
        await using var sourceScope = source.ConfigureAwait(false);
        return await ForEachHostAsync(
                request,
                targets,
                async (target, token) =>
                {
                    var staged = await deployer
                        .StageAsync(target, release, source.Source, request.RunId, request.Commit, token)
                        .ConfigureAwait(false);
                    request.Log.Info(
                        (staged.Fetched ? $"staged {release}" : $"{release} already complete here, kept")
                            + (staged.Commit is { } commit ? $" (commit {commit[..Math.Min(12, commit.Length)]})" : "")
                            + $"; still serving {staged.Current ?? "nothing"}",
                        staged.Host);
                    return new HostOutcome(staged.Host, true, staged.Current, null, null);
                },
                "Staging",
                cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<FleetResult> RollbackAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = DeployTargets.For(request.Environment, request.Hosts, request.KeepReleases);
        using var borrowed = Borrow(request);
        var deployer = new ReleaseDeployer(borrowed.Pool, timeProvider: time);
        return await ForEachHostAsync(request, targets, async (target, token) =>
        {
            var name = target.Host.Name;
            var rolled = await deployer.RollbackAsync(target, request.Release, request.RunId, token).ConfigureAwait(false);
            if (rolled.Note is { } note)
            {
                request.Log.Warn(note, name);
            }

            request.Log.Info($"rolled back to {rolled.Release}", name);
            return new HostOutcome(name, true, rolled.Release, rolled.From, null);
        }, "Rollback", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="act"/> on every target, <see cref="FleetRequest.MaxParallel"/> at once; a host that fails is an outcome, not an
    /// exception.</summary>
    /// <param name="what">How a failure's message starts, e.g. <c>Rollback</c>.</param>
    private static async Task<FleetResult> ForEachHostAsync(
        FleetRequest request,
        IReadOnlyList<DeployTarget> targets,
        Func<DeployTarget, CancellationToken, Task<HostOutcome>> act,
        string what,
        CancellationToken cancellationToken)
    {
        var outcomes = new HostOutcome[targets.Count];
        var done = 0;
        var failed = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxParallel), CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var name = targets[index].Host.Name;
                try
                {
                    outcomes[index] = await act(targets[index], token).ConfigureAwait(false);
                }
                catch (DeployException ex)
                {
                    Interlocked.Increment(ref failed);
                    request.Log.Warn(ex.Message, name);
                    outcomes[index] = new HostOutcome(name, false, ex.LeftOn, null, ex.Message, ex.Unsettled);
                }
                catch (Exception ex) when (ex is SshHostException or IOException or HttpRequestException or ArgumentException)
                {
                    Interlocked.Increment(ref failed);
                    request.Log.Warn(ex.Message, name);
                    outcomes[index] = new HostOutcome(name, false, null, null, $"{what} of {name} failed: {ex.Message}");
                }

                request.Log.Progress(Interlocked.Increment(ref done), targets.Count, Volatile.Read(ref failed));
            }).ConfigureAwait(false);
        return new FleetResult(outcomes);
    }

    private static string ReleaseOf(FleetRequest request) =>
        request.Release ?? throw new DeployException($"environment {request.Environment.Id}: no release to deploy was given");

    /// <summary>A staged marker (time and run id) as the journal shows it: "2026-12-07T00:31:02Z by run r-…".</summary>
    private static string StagedText(string marker) =>
        marker.Split(' ', 2) is [var at, var run] ? $"{at} by run {run}" : marker;

    private static HostOutcome Outcome(HostDeployResult host, IStepLog log)
    {
        if (host.Succeeded)
        {
            var deployed = host.Result!;
            log.Info((deployed.Changed ? $"now on {deployed.Release}" : $"already on {deployed.Release}")
                + (deployed.Staged is { } staged ? $" (staged at {StagedText(staged)}; not fetched again)" : ""), host.Host);
            if (deployed.Warning is { } warning)
            {
                log.Warn(warning, host.Host);
            }

            return new HostOutcome(host.Host, true, deployed.Release, deployed.Previous, null);
        }

        var error = host.Outcome switch
        {
            HostDeployOutcome.NotStarted => $"{host.Host}: not started (the deploy was cancelled)",
            _ => host.Error?.Message ?? $"{host.Host}: deploy {host.Outcome.ToString().ToLowerInvariant()}",
        };
        if (host.Error is not null and not (SshHostException or DeployException))
        {
            error = $"Deploy to {host.Host} failed: {error}";
        }

        log.Warn(error, host.Host);
        return new HostOutcome(host.Host, false, host.Current, host.Current, error, host.Error is DeployException { Unsettled: true });
    }

    /// <summary>The run's connections when this deployer has a run cache (one connection per host per run), else a pool of the step's own.</summary>
    private SshRunConnections.Borrowed Borrow(FleetRequest request)
    {
        var environment = request.Environment;
        if (connections is null)
        {
            var pool = new SshConnectionPool(
                SshEnvironment.Options(environment, request.Secrets.Get, request.Secrets.Masker.Apply, request.Log),
                time);
            return new SshRunConnections.Borrowed(pool, pool.Dispose);
        }

        return connections.Borrow(request.RunId, environment.Id, request.Log, output =>
            SshEnvironment.Options(environment, request.Secrets.Get, request.Secrets.Masker.Apply, output));
    }
}
