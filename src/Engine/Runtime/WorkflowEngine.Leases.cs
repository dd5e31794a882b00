using System.Runtime.ExceptionServices;

namespace Gantry.Engine.Runtime;

/// <summary>
/// One execution per run. Every execution, whoever starts it, first claims the run's lease in the store,
/// renews it every third of the lease while it runs, and writes every journal append, status change and
/// concurrency-key change through the store fenced by that lease (<see cref="IRunLeaseStore.Fenced"/>). A
/// process that stalls past its lease, or cannot reach the store until its lease would have expired,
/// stops where it is without journaling or cleaning up anything more: the next holder goes on with it.
/// </summary>
public sealed partial class WorkflowEngine
{
    /// <summary>Cancelled by <see cref="HandBackRuns"/>: every execution of this engine, now and later, stops as if the process died.</summary>
    private readonly CancellationTokenSource _handBack = new();

    /// <summary>Whether <see cref="HandBackRuns"/> was called.</summary>
    public bool HandingBack => _handBack.IsCancellationRequested;

    /// <summary>
    /// For a process that is stopping (a service's SIGTERM once its grace period is over): every run
    /// executing here stops at its last journaled step, as if the process had died, but its lease is
    /// released at once, so another node or the next start resumes it without waiting for the lease to
    /// expire; the step that was cut off runs again there, driven to its recorded intent. Executions
    /// started afterwards stop before their first step. Not a cancel: no on_failure, nothing journaled.
    /// </summary>
    public void HandBackRuns() => _handBack.Cancel();

    /// <summary>
    /// Claims the run's lease for this engine's node (<see cref="EngineOptions.NodeId"/>) and runs (or
    /// resumes) it in the calling task until it finishes, suspends, or is queued behind its concurrency
    /// key; returns the status it reached. Throws <see cref="RunHeldException"/> when another node holds a
    /// live lease on the run (nothing is executed here), and <see cref="LeaseLostException"/> when the run
    /// was taken over while it executed here.
    /// </summary>
    public Task<RunRecord> RunAsync(string runId, CancellationToken cancellationToken) =>
        RunAsync(runId, cancellationToken, CancellationToken.None);

    /// <summary>
    /// <see cref="RunAsync(string, CancellationToken)"/> that <paramref name="abandon"/> stops as if this
    /// process had died (a terminal that goes away): no run.cancelled, no on_failure, the lease released
    /// so that <c>gantry runs resume</c> or another node goes on with it at once. Then throws an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<RunRecord> RunAsync(string runId, CancellationToken cancellationToken, CancellationToken abandon)
    {
        var cancel = Register(runId, cancellationToken) ?? throw new RunHeldException(runId, null, null);
        try
        {
            return await ClaimAndExecuteAsync(runId, cancel, abandon).ConfigureAwait(false);
        }
        catch (Exception ex) when (_maskers.Escaping(runId, ex))
        {
            throw; // never reached: the filter only remembers the run's masker for whoever logs the exception
        }
        finally
        {
            Unregister(runId, cancel);
        }
    }

    /// <summary>
    /// Runs (or resumes) a run a <see cref="RunWorker"/> already claimed under <paramref name="lease"/>,
    /// renewing it every third of <paramref name="duration"/>, fenced like every execution. When a fenced
    /// write is rejected or a renewal finds the lease taken, the execution stops where it is, as if this
    /// process had died, and throws the <see cref="LeaseLostException"/>; when <paramref name="abandon"/> is
    /// cancelled it stops the same way and throws an <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task<RunRecord> RunLeasedAsync(RunLease lease, TimeSpan duration, CancellationToken abandon)
    {
        ArgumentNullException.ThrowIfNull(lease);

        // Tracked like background runs, so WhenIdleAsync also waits for the runs a worker claimed; tracked
        // before it starts: called directly, the execution ran synchronously up to its first real wait
        // (journal writes, a step's process started), and a server stopping then saw no run to hand back.
        var start = new Task<Task<RunRecord>>(() => RunLeasedCoreAsync(lease, duration, abandon));
        var task = start.Unwrap();
        // (its failures are the caller's: the tracked task only says when it ended).
        _background[lease.RunId + "#" + Guid.NewGuid().ToString("N")] = task.ContinueWith(
            _ => CleanBackground(),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
        start.Start(TaskScheduler.Default);
        return task;
    }

    private async Task<RunRecord> RunLeasedCoreAsync(RunLease lease, TimeSpan duration, CancellationToken abandon)
    {
        var cancel = Register(lease.RunId, CancellationToken.None) ?? throw new RunHeldException(lease.RunId, null, null);
        try
        {
            var (run, woken) = await ExecuteLeasedAsync(lease, duration, cancel, abandon).ConfigureAwait(false);
            return woken ? await ClaimAndExecuteAsync(lease.RunId, cancel, abandon, again: true).ConfigureAwait(false) : run;
        }
        catch (Exception ex) when (_maskers.Escaping(lease.RunId, ex))
        {
            throw; // never reached: the filter only remembers the run's masker for whoever logs the exception
        }
        finally
        {
            Unregister(lease.RunId, cancel);
        }
    }

    /// <summary>Claims and executes until the run no longer needs this process: a wake-up that raced the release is taken here.</summary>
    private async Task<RunRecord> ClaimAndExecuteAsync(string runId, CancellationTokenSource cancel, CancellationToken abandon, bool again = false)
    {
        while (true)
        {
            var lease = await Leases.TryClaimRunAsync(runId, _options.NodeId, _options.Lease, CancellationToken.None).ConfigureAwait(false);
            if (lease is null)
            {
                var run = await GetAsync(runId, CancellationToken.None).ConfigureAwait(false);

                // After a pass here, a node that claimed the run since is the one going on with it.
                if (again || run.IsFinished)
                {
                    return run;
                }

                if (run.IsLeasedAt(_time.GetUtcNow()) && run.LeaseOwner is { } holder)
                {
                    throw new RunHeldException(runId, holder, run.LeaseExpiresAt);
                }

                // Its holder let go between the claim and this read (it finished a pass, or waits now):
                // claim again rather than report a holder that is gone.
                continue;
            }

            var (reached, woken) = await ExecuteLeasedAsync(lease, _options.Lease, cancel, abandon).ConfigureAwait(false);
            if (!woken)
            {
                return reached;
            }

            again = true;
        }
    }

    /// <summary>
    /// One execution under <paramref name="lease"/>, its heartbeat, and its release. Returns the run as it
    /// ended or suspended, and whether a signal or cancel request arrived for it after its last look (a
    /// sender that saw it leased left the wake-up to this execution).
    /// </summary>
    /// <param name="created">The run as this process created it, record and journal: not read back.</param>
    private async Task<(RunRecord Run, bool Woken)> ExecuteLeasedAsync(
        RunLease lease,
        TimeSpan duration,
        CancellationTokenSource cancel,
        CancellationToken abandon,
        CreatedRun? created = null)
    {
        // Losing the lease is not a cancel: it stops the execution without journaling or cleaning up anything.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(abandon, _handBack.Token);
        Exception? rejected = null;
        void Abandon(Exception ex)
        {
            Interlocked.CompareExchange(ref rejected, ex, null);
            lost.Cancel();
        }

        using var stopHeartbeat = new CancellationTokenSource();
        var watch = new LeaseWatch(lease, duration, _time, Abandon, lost.Token);
        var heartbeat = HeartbeatAsync(lease, duration, watch, cancel, Abandon, stopHeartbeat.Token);
        RunRecord run;
        try
        {
            LeaseGuard.Enter(watch);
            run = await RunCoreAsync(lease.RunId, Leases.Fenced(lease), cancel, lost.Token, Abandon, created).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref rejected) is { } reason)
        {
            await StopAsync(heartbeat, stopHeartbeat).ConfigureAwait(false);
            await ReleaseAfterStopAsync(lease, reason).ConfigureAwait(false);
            ExceptionDispatchInfo.Throw(reason);
            throw;
        }
        catch (Exception ex) when (Volatile.Read(ref rejected) is null)
        {
            await StopAsync(heartbeat, stopHeartbeat).ConfigureAwait(false);
            await ReleaseAfterStopAsync(lease, ex).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await StopAsync(heartbeat, stopHeartbeat).ConfigureAwait(false);
            throw;
        }

        await StopAsync(heartbeat, stopHeartbeat).ConfigureAwait(false);
        if (!(run.IsFinished && run.LeaseOwner is null))
        {
            // (A run that ended with no holder left gave its lease up in the commit of its end.)
            await Leases.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }

        if (run.Status != RunStatus.Waiting)
        {
            return (run, false);
        }

        // A sender that journaled a signal while this execution held the lease, after its last look,
        // could not claim the run: look once more now that the lease is free.
        var journal = await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None).ConfigureAwait(false);
        return (run, JournalState.WokenSinceLastPass(journal));
    }

    /// <summary>
    /// After an abandoned execution: a lease that is still ours (the terminal went away, the store failed one
    /// write) is given up so that the next process need not wait for it to expire. A lost lease changes nothing.
    /// </summary>
    private async Task ReleaseAfterStopAsync(RunLease lease, Exception reason)
    {
        if (reason is LeaseLostException)
        {
            return;
        }

        try
        {
            await Leases.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is unreachable: the lease expires by itself.
            using (EngineLog.BeginRun(_logger, lease.RunId))
            {
                EngineLog.LeaseReleaseFailed(_logger, lease.RunId, _maskers.Masked(lease.RunId, ex));
            }

            ObserverFailed?.Invoke(ex);
        }
    }

    /// <summary>Executes through <paramref name="store"/>, the engine's store fenced by the run's lease.</summary>
    private async Task<RunRecord> RunCoreAsync(
        string runId,
        IRunStore store,
        CancellationTokenSource cancel,
        CancellationToken lost,
        Action<Exception> abandon,
        CreatedRun? created)
    {
        var record = created?.Run ?? await GetAsync(runId, CancellationToken.None).ConfigureAwait(false);
        if (record.IsFinished)
        {
            return record;
        }

        if (record.ConcurrencyKey is not null)
        {
            var (claimed, outcome) = await ClaimKeyAsync(record, store, CancellationToken.None).ConfigureAwait(false);
            if (!claimed)
            {
                return outcome;
            }

            record = outcome;
        }

        return await ExecuteAsync(record, store, cancel, lost, abandon, CancellationToken.None, created?.Journal).ConfigureAwait(false);
    }

    /// <summary>
    /// Renews the lease every third of <paramref name="duration"/>. Abandons the execution once a renewal
    /// finds the lease taken, or once renewals kept failing (the store is unreachable) until the lease would
    /// expire before the next try: another process may claim the run then, so this one must stop first.
    /// It also cancels the execution when a cancel request was journaled by another process.
    /// </summary>
    private async Task HeartbeatAsync(
        RunLease lease,
        TimeSpan duration,
        LeaseWatch watch,
        CancellationTokenSource cancel,
        Action<Exception> abandon,
        CancellationToken stop)
    {
        var interval = duration / 3;
        var validUntil = _time.GetUtcNow() + duration;
        long seen = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Stopped at every run's end: returning without the cancelled delay's exception saves its throw and catch.
                await Task.Delay(interval, _time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                var attempt = _time.GetUtcNow();
                if (!await Leases.RenewLeaseAsync(lease, duration, stop).ConfigureAwait(false))
                {
                    var now = await _store.GetRunAsync(lease.RunId, stop).ConfigureAwait(false);
                    abandon(
                        new LeaseLostException(
                            lease,
                            now?.LeaseOwner is { } holder ? $"node {holder} holds it now" : "it was released or taken over"));
                    return;
                }

                validUntil = attempt + duration;
                watch.Renewed(attempt);
                var since = await _store.ReadJournalAsync(lease.RunId, seen, stop).ConfigureAwait(false);
                seen = since.Count > 0 ? since[^1].Sequence : seen;
                // A cancel request that a later retry of the run superseded (it is a cancelled run's journal) does not count.
                var cancelled = since.LastOrDefault(e => e.Type == JournalEventTypes.RunCancelRequested)?.Sequence ?? 0;
                var retried = since.LastOrDefault(e => e.Type == JournalEventTypes.RunRetried)?.Sequence ?? 0;
                if (cancelled > retried && !cancel.IsCancellationRequested)
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                using (EngineLog.BeginRun(_logger, lease.RunId))
                {
                    EngineLog.LeaseRenewalFailed(_logger, lease.RunId, _maskers.Masked(lease.RunId, ex));
                }

                ObserverFailed?.Invoke(ex);
                if (_time.GetUtcNow() + interval >= validUntil)
                {
                    var reason = _maskers.Masked(lease.RunId, ex).Message;
                    abandon(new LeaseLostException(lease, $"its lease could not be renewed before it expired at {validUntil:u} ({reason})"));
                    return;
                }
            }
        }
    }

    private static async Task StopAsync(Task heartbeat, CancellationTokenSource stop)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
    }

    private IRunLeaseStore Leases => _store as IRunLeaseStore
        ?? throw new InvalidOperationException($"this engine's store ({_store.GetType().Name}) has no leases; every execution holds its run's lease");

    /// <summary>Marks the run as executing in this engine; null when it already is (then this process does not execute it twice).</summary>
    private CancellationTokenSource? Register(string runId, CancellationToken cancellationToken)
    {
        lock (_wakeGate)
        {
            if (_active.ContainsKey(runId))
            {
                return null;
            }

            var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _active[runId] = cancel;
            return cancel;
        }
    }

    private void Unregister(string runId, CancellationTokenSource cancel)
    {
        lock (_wakeGate)
        {
            if (_active.TryRemove(KeyValuePair.Create(runId, cancel)))
            {
                _maskers.Ended(runId);
            }
        }

        cancel.Dispose();
    }
}
