namespace Gantry.Engine.Runtime;

/// <summary>
/// Leases that let several nodes share runs: a node claims runs that nobody holds (or whose
/// holder stopped renewing), renews its leases while it works on them, and releases them when
/// it stops. A run whose node died is claimed by another node once its lease expires.
/// </summary>
public interface IRunLeaseStore
{
    /// <summary>
    /// Claims up to <paramref name="max"/> runs whose lease is absent or expired, oldest first, for
    /// <paramref name="lease"/>: Pending and Running runs, and Waiting runs that were woken since
    /// their last execution pass (a signal or a cancel request journaled after their latest
    /// run.started or run.resumed). Two nodes claiming at once never get the same run.
    /// </summary>
    Task<IReadOnlyList<RunRecord>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease on one run, whatever its status, when nobody holds it, its lease expired, or
    /// this node already holds it; false when another node holds it (or the run does not exist).
    /// </summary>
    Task<bool> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends this node's lease on a run; false when the node no longer holds it (another node took it).</summary>
    Task<bool> RenewLeaseAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Gives a run's lease up, when this node holds it; otherwise does nothing.</summary>
    Task ReleaseLeaseAsync(string runId, string nodeId, CancellationToken cancellationToken);
}
