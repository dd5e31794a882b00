namespace Gantry.Engine.Runtime;

/// <summary>
/// Leases that let several nodes share runs: a node claims runs that nobody holds (or whose
/// holder stopped renewing), renews its leases while it works on them, and releases them when
/// it stops. A run whose node died is claimed by another node once its lease expires. Every claim
/// raises the run's lease generation, and writes made through <see cref="Fenced"/> check it, so a
/// node that stalled past its lease can no longer write to a run another node took over.
/// </summary>
public interface IRunLeaseStore
{
    /// <summary>
    /// Claims up to <paramref name="max"/> runs whose lease is absent or expired, oldest first, for
    /// <paramref name="lease"/>: Pending and Running runs, and Waiting runs that were woken since
    /// their last execution pass (a signal or a cancel request journaled after their latest
    /// run.started or run.resumed). Two nodes claiming at once never get the same run.
    /// </summary>
    Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease on one run, whatever its status, when nobody holds it, its lease expired, or
    /// this node already holds it (a new generation all the same); null when another node holds it
    /// (or the run does not exist).
    /// </summary>
    Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a run with its first events (see <see cref="IRunStore.CreateRunAsync(RunRecord, IReadOnlyList{JournalEvent}, CancellationToken)"/>)
    /// already leased to <paramref name="nodeId"/>, for a run this node starts and executes itself: no other
    /// node (nor this node's takeover poll) can claim it between its creation and its execution. The durable
    /// stores write it in one commit; this default creates the run, then claims it.
    /// </summary>
    async Task<(IReadOnlyList<JournalEvent> Events, RunLease Lease)> CreateClaimedRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        string nodeId,
        TimeSpan lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var store = this as IRunStore
            ?? throw new NotSupportedException($"{GetType().Name} keeps leases but no runs; create the run in its run store, then claim it");
        var events = await store.CreateRunAsync(run, firstEvents, cancellationToken).ConfigureAwait(false);
        var claimed = await TryClaimRunAsync(run.Id, nodeId, lease, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"run {run.Id} was claimed by another node right after {nodeId} created it");
        return (events, claimed);
    }

    /// <summary>Extends a lease by <paramref name="duration"/>; false when it is stale (the run was claimed again since) or the run is
    /// gone.</summary>
    Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives a lease up while it is current; a stale lease changes nothing.</summary>
    Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// This store seen by the holder of <paramref name="lease"/>: its journal appends, status updates
    /// and concurrency-key acquisitions and releases for that run commit only while the lease is current, checked in
    /// the same transaction; otherwise they change nothing and throw <see cref="LeaseLostException"/>.
    /// Reads, and writes for other runs, behave as in this store.
    /// </summary>
    IRunStore Fenced(RunLease lease);
}
