namespace Gantry.Providers.Deploy;

/// <summary>How one host's deploy ended.</summary>
public enum HostDeployOutcome { Succeeded, Failed, Cancelled, NotStarted }

/// <summary>One host's deploy in a group.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Current">Release current on the host afterwards, when known.</param>
/// <param name="Result">The deploy's result when it succeeded.</param>
/// <param name="Error">What went wrong, when it did not succeed.</param>
public sealed record HostDeployResult(string Host, HostDeployOutcome Outcome, string? Current, DeployResult? Result, Exception? Error)
{
    /// <summary>True when the host now runs the requested release.</summary>
    public bool Succeeded => Outcome == HostDeployOutcome.Succeeded;
}

/// <summary>Progress of a group deploy, reported after each host.</summary>
/// <param name="Done">Hosts finished (any outcome).</param>
/// <param name="Total">Hosts in the group.</param>
/// <param name="Failed">Hosts that failed so far.</param>
/// <param name="Last">The host that just finished.</param>
public sealed record GroupDeployProgress(int Done, int Total, int Failed, HostDeployResult Last);

/// <summary>The outcome of a group deploy: one entry per host, in the order given.</summary>
/// <param name="Release">The release deployed.</param>
/// <param name="Hosts">Per-host results.</param>
public sealed record GroupDeployResult(string Release, IReadOnlyList<HostDeployResult> Hosts)
{
    /// <summary>True when every host succeeded.</summary>
    public bool Succeeded => Hosts.All(h => h.Succeeded);

    /// <summary>The hosts that did not succeed.</summary>
    public IEnumerable<HostDeployResult> Failures => Hosts.Where(h => !h.Succeeded);
}

/// <summary>Settings of a group deploy.</summary>
public sealed record GroupDeployOptions
{
    /// <summary>Hosts deployed at the same time. The default value is 4.</summary>
    public int MaxParallel { get; init; } = 4;

    /// <summary>Called after each host finishes; its failures are ignored.</summary>
    public Action<GroupDeployProgress>? Progress { get; init; }
}

/// <summary>The group deploy was cancelled; every host touched was left on a working release.</summary>
public sealed class GroupDeployCanceledException : OperationCanceledException
{
    internal GroupDeployCanceledException(GroupDeployResult result, CancellationToken token)
        : base(
            $"Deploy of {result.Release} was cancelled: "
            + string.Join(", ", result.Hosts.Select(h => $"{h.Host} {Describe(h)}")) + ".",
            null,
            token) => Result = result;

    /// <summary>Per-host results at the time of the cancellation.</summary>
    public GroupDeployResult Result { get; }

    private static string Describe(HostDeployResult h) => h.Outcome switch
    {
        HostDeployOutcome.Succeeded => $"done ({h.Current})",
        HostDeployOutcome.NotStarted => "not started",
        HostDeployOutcome.Cancelled => $"cancelled, on {h.Current ?? "unknown"}",
        _ => $"failed, on {h.Current ?? "unknown"}",
    };
}

/// <summary>
/// Deploys one release to a group of hosts, at most <see cref="GroupDeployOptions.MaxParallel"/>
/// at a time. A failing host is rolled back by <see cref="ReleaseDeployer"/> and does not stop the
/// others; hosts that succeed stay on the new release.
/// </summary>
public sealed class GroupDeployer(ReleaseDeployer deployer)
{
    /// <summary>Deploys <paramref name="release"/> to every target.</summary>
    /// <returns>One result per host; check <see cref="GroupDeployResult.Succeeded"/>.</returns>
    /// <exception cref="GroupDeployCanceledException">Cancelled; holds the per-host results.</exception>
    public async Task<GroupDeployResult> DeployAsync(
        IReadOnlyList<DeployTarget> targets,
        string release,
        ReleaseSource source,
        string runId,
        GroupDeployOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new GroupDeployOptions();
        if (options.MaxParallel < 1)
        {
            throw new ArgumentException($"max_parallel is {options.MaxParallel}; it must be at least 1.", nameof(options));
        }

        var results = new HostDeployResult[targets.Count];
        var done = 0;
        var failed = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallel, CancellationToken = CancellationToken.None };

        // The loop itself is never cancelled so that every started host finishes its own cleanup;
        // hosts not yet started when the token fires are skipped.
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), parallel, async (index, _) =>
        {
            var target = targets[index];
            HostDeployResult result;
            if (cancellationToken.IsCancellationRequested)
            {
                result = new HostDeployResult(target.Host.Name, HostDeployOutcome.NotStarted, null, null, null);
            }
            else
            {
                try
                {
                    var deployed = await deployer.DeployAsync(target, release, source, runId, cancellationToken).ConfigureAwait(false);
                    result = new HostDeployResult(target.Host.Name, HostDeployOutcome.Succeeded, deployed.Release, deployed, null);
                }
                catch (DeployCanceledException ex)
                {
                    result = new HostDeployResult(target.Host.Name, HostDeployOutcome.Cancelled, ex.LeftOn, null, ex);
                }
                catch (DeployException ex)
                {
                    result = new HostDeployResult(target.Host.Name, HostDeployOutcome.Failed, ex.LeftOn, null, ex);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    result = new HostDeployResult(target.Host.Name, HostDeployOutcome.Failed, null, null, ex);
                }
            }

            results[index] = result;
            var finished = Interlocked.Increment(ref done);
            var failures = result.Outcome == HostDeployOutcome.Failed ? Interlocked.Increment(ref failed) : Volatile.Read(ref failed);
            Report(options, new GroupDeployProgress(finished, targets.Count, failures, result));
        }).ConfigureAwait(false);

        var outcome = new GroupDeployResult(release, results);
        return cancellationToken.IsCancellationRequested && !outcome.Succeeded
            ? throw new GroupDeployCanceledException(outcome, cancellationToken)
            : outcome;
    }

    private static void Report(GroupDeployOptions options, GroupDeployProgress progress)
    {
        try
        {
            options.Progress?.Invoke(progress);
        }
        catch
        {
            // An observer never fails a deploy.
        }
    }
}
