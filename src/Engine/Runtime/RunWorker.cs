using System.Collections.Concurrent;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Executes runs on one node of several sharing a durable store. Every poll it signals waiting runs
/// whose delay has passed, then claims runs nobody holds (Pending, Running after a crash, Waiting
/// runs woken by a signal or cancel) and executes each under a lease it renews every third of the
/// lease; the lease is released when the run finishes or suspends. A node that dies stops renewing,
/// so another node claims its runs once their leases expire and resumes them from the journal.
/// The engine does the renewing and fencing (<see cref="WorkflowEngine.RunLeasedAsync"/>), as for every
/// other execution. A node that only stalled (a pause, a lost connection) is fenced: every claim raises the run's
/// lease generation, the engine writes through <see cref="IRunLeaseStore.Fenced"/>, and once the
/// heartbeat finds the lease lost or a write is rejected, this node stops executing the run at once,
/// without journaling, cleaning up or releasing anything: the new holder goes on with it.
/// Use it with an engine whose <see cref="EngineOptions.ResumeInProcess"/> is false, so every
/// execution goes through a lease.
/// </summary>
public sealed class RunWorker
{
    private readonly WorkflowEngine _engine;
    private readonly IRunLeaseStore _leases;
    private readonly RunWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Task> _executing = new(StringComparer.Ordinal);

    public RunWorker(WorkflowEngine engine, IRunLeaseStore leases, RunWorkerOptions? options = null, TimeProvider? time = null)
    {
        _engine = engine;
        _leases = leases;
        _options = options ?? new RunWorkerOptions();
        _time = time ?? TimeProvider.System;
    }

    public string NodeId => _options.NodeId;

    /// <summary>Told what the worker does (claims, ends, lost leases, errors), one line each.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>
    /// Polls until <paramref name="cancellationToken"/> is cancelled, then waits for the runs it is
    /// executing to finish or suspend (they are not cancelled: stopping a node is not cancelling its runs).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log?.Invoke(
            $"node {NodeId} polling every {Schema.Duration.Format(_options.PollInterval)} with a lease of {Schema.Duration.Format(_options.Lease)}");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A store that is briefly unreachable must not stop the node.
                Log?.Invoke($"poll failed: {ex.Message}");
                await Task.Delay(_options.PollInterval, _time, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await WhenIdleAsync().ConfigureAwait(false);
    }

    /// <summary>Fires due timers and starts the runs it can claim in the background; returns how many it claimed.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        await FireDueTimersAsync(cancellationToken).ConfigureAwait(false);
        var free = _options.MaxConcurrentRuns - _executing.Count;
        if (free <= 0)
        {
            return 0;
        }

        var claimed = await _leases.ClaimRunsAsync(NodeId, _options.Lease, free, cancellationToken).ConfigureAwait(false);
        foreach (var (run, lease) in claimed)
        {
            Log?.Invoke($"claimed run {run.Id} ({run.WorkflowId}, {run.Status.ToString().ToLowerInvariant()})");
            // Registered before it starts, so a run that ends at once is still removed.
            var registered = new TaskCompletionSource();
            _executing[run.Id] = Task.Run(
                async () =>
                {
                    await registered.Task.ConfigureAwait(false);
                    await ExecuteClaimedAsync(lease).ConfigureAwait(false);
                },
                CancellationToken.None);
            registered.SetResult();
        }

        return claimed.Count;
    }

    /// <summary>Waits until every run this worker started has finished or suspended.</summary>
    public async Task WhenIdleAsync()
    {
        while (!_executing.IsEmpty)
        {
            await Task.WhenAll(_executing.Values).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Executes one run here under a lease (the CLI's <c>run</c>, <c>runs signal</c>, <c>runs cancel</c>);
    /// null when another node holds the run (or takes it over meanwhile), which then goes on with it.
    /// </summary>
    public async Task<RunRecord?> ExecuteLeasedAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            return await _engine.RunAsync(runId, cancellationToken).ConfigureAwait(false);
        }
        catch (RunHeldException)
        {
            return null;
        }
        catch (LeaseLostException ex)
        {
            Log?.Invoke($"node {NodeId} stopped executing run {runId}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Signals every waiting step whose delay has passed and has no timer signal yet; returns how many it signalled.</summary>
    public async Task<int> FireDueTimersAsync(CancellationToken cancellationToken)
    {
        var store = _engine.Store;
        var now = _time.GetUtcNow();
        var fired = 0;
        var waiting = await store
            .ListRunsAsync(
                new RunQuery
                {
                    Statuses = [RunStatus.Waiting],
                    WaitedOnTimer = true,
                    Limit = 10_000,
                },
                cancellationToken)
            .ConfigureAwait(false);
        foreach (var run in waiting)
        {
            var state = JournalState.Replay(await store.ReadJournalAsync(run.Id, 0, cancellationToken).ConfigureAwait(false));
            foreach (var (key, step) in state.Waiting)
            {
                if (step.Wait is { ResumeAt: { } at } wait && at <= now && !state.SignalsFor(key).Any(s => s.Name == wait.Signal))
                {
                    await _engine.SignalAsync(run.Id, wait.Signal, null, "timer", cancellationToken).ConfigureAwait(false);
                    fired++;
                }
            }
        }

        return fired;
    }

    private async Task ExecuteClaimedAsync(RunLease lease)
    {
        try
        {
            await ExecuteUnderLeaseAsync(lease).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log?.Invoke($"run {lease.RunId} stopped with an error: {_engine.Maskers.Masked(lease.RunId, ex).Message}");
        }
        finally
        {
            _executing.TryRemove(lease.RunId, out _);
        }
    }

    /// <summary>The run as it ended or suspended here; null when this node lost the lease and stopped executing it.</summary>
    private async Task<RunRecord?> ExecuteUnderLeaseAsync(RunLease lease)
    {
        try
        {
            // Not the worker's token: stopping a node must not cancel its runs. The engine renews the lease.
            var run = await _engine.RunLeasedAsync(lease, _options.Lease, CancellationToken.None).ConfigureAwait(false);
            Log?.Invoke($"run {lease.RunId} {run.Status.ToString().ToLowerInvariant()}{(run.Message is null ? "" : ": " + run.Message)}");
            return run;
        }
        catch (LeaseLostException ex)
        {
            Log?.Invoke($"node {NodeId} stopped executing run {lease.RunId}: {ex.Message}");
            return null;
        }
        catch (OperationCanceledException) when (_engine.HandingBack)
        {
            Log?.Invoke(
                $"handed back run {lease.RunId} at its last journaled step (this node is stopping); its lease is released, so another node or the "
                + "next start resumes it");
            return null;
        }
        catch (RunHeldException)
        {
            // This process already executes the run (a wake-up of its own); the lease just taken is a newer
            // generation of the same node, so that execution is the one to go on.
            return null;
        }
    }
}
