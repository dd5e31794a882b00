namespace Gantry.Engine.Runtime;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Makes a failed or cancelled run go on in the same run id, with its pinned definitions, environment and
    /// inputs: journals who retried, when and from where (<see cref="JournalEventTypes.RunRetried"/>, see
    /// <see cref="RetryPoint"/>) and sets the run Pending, under the run's lease so that two retries never
    /// both go through. It executes nothing: like any Pending run it is then executed through the lease path
    /// (<see cref="RunAsync(string, CancellationToken)"/>, a background run, or a worker's claim), taking its
    /// concurrency key again, or queueing behind its holder.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such run.</exception>
    /// <exception cref="RunNotRetryableException">The run is not failed or cancelled.</exception>
    /// <exception cref="RetryRefusedException">The run cannot go on from <paramref name="from"/>.</exception>
    /// <exception cref="RunHeldException">Another execution holds the run's lease.</exception>
    public async Task<(RunRecord Run, RetryPoint Point)> RetryAsync(string runId, string? from, string? by, CancellationToken cancellationToken)
    {
        ThrowUnlessRetryable(await GetAsync(runId, cancellationToken).ConfigureAwait(false));
        var lease = await Leases.TryClaimRunAsync(runId, _options.NodeId, _options.Lease, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            var held = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
            throw new RunHeldException(runId, held.LeaseOwner, held.LeaseExpiresAt);
        }

        try
        {
            // Looked at again under the lease: a retry that went through meanwhile made it Pending.
            var record = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
            ThrowUnlessRetryable(record);
            var journal = await _store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
            var point = RetryPoint.Resolve(runId, journal, from);
            var fenced = Leases.Fenced(lease);
            var masker = MaskerFor(record);
            var message = $"retried {point.Reason}{(by is null ? "" : " by " + by)}";
            await fenced
                .AppendAsync(
                    runId,
                    [
                        new JournalEvent
                        {
                            Type = JournalEventTypes.RunRetried,
                            Time = _time.GetUtcNow(),
                            Path = point.StepKey,
                            StepId = point.StepId,
                            Actor = by is null ? null : masker.Apply(by),
                            Message = masker.Apply(message),
                            Payload = new Dictionary<string, object?>
                            {
                                ["from"] = point.StepKey,
                                ["step"] = point.StepId,
                                [JournalState.RetriedBeforeKey] = point.Before,
                                ["previous_status"] = record.Status.ToString().ToLowerInvariant(),
                            },
                        }],
                    cancellationToken)
                .ConfigureAwait(false);
            var pending = await fenced.UpdateStatusAsync(runId, RunStatus.Pending, masker.Apply(message), cancellationToken).ConfigureAwait(false);
            return (pending, point);
        }
        finally
        {
            await Leases.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary><see cref="RetryAsync"/>, then executes the run in the background (the server).</summary>
    public async Task<(RunRecord Run, RetryPoint Point)> RetryInBackgroundAsync(
        string runId,
        string? from,
        string? by,
        CancellationToken cancellationToken)
    {
        var retried = await RetryAsync(runId, from, by, cancellationToken).ConfigureAwait(false);
        RunInBackground(runId);
        return retried;
    }

    private static void ThrowUnlessRetryable(RunRecord record)
    {
        if (record.Status is not (RunStatus.Failed or RunStatus.Cancelled))
        {
            throw new RunNotRetryableException(
                $"run {record.Id} is {record.Status.ToString().ToLowerInvariant()}; only a failed or cancelled run can be retried");
        }
    }
}
