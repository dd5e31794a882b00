namespace Gantry.Engine.Runtime;

/// <summary>
/// Leases that let several nodes share runs: a node claims runs that nobody holds (or whose
/// holder stopped renewing), renews its leases while it works on them, and releases them when
/// it stops. A run whose node died is claimed by another node once its lease expires.
/// </summary>
public interface IRunLeaseStore
{
    /// <summary>
    /// Claims up to <paramref name="max"/> Pending or Running runs whose lease is absent or expired,
    /// oldest first, for <paramref name="lease"/>. Two nodes claiming at once never get the same run.
    /// </summary>
    Task<IReadOnlyList<RunRecord>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Extends this node's lease on a run; false when the node no longer holds it (another node took it).</summary>
    Task<bool> RenewLeaseAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Gives a run's lease up, when this node holds it; otherwise does nothing.</summary>
    Task ReleaseLeaseAsync(string runId, string nodeId, CancellationToken cancellationToken);
}
