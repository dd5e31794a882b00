namespace Gantry.Engine.Runtime;

/// <summary>
/// A write made under a lease the node no longer holds: another node claimed the run since (or the
/// lease was released). Nothing of the write was kept; the node must stop executing the run.
/// </summary>
public sealed class LeaseLostException : Exception
{
    /// <summary>Describes the stale <paramref name="lease"/> and who holds the run now (<paramref name="holderNodeId"/> null: nobody).</summary>
    public LeaseLostException(RunLease lease, string? holderNodeId, long currentGeneration)
        : base(
            $"run {(lease ?? throw new ArgumentNullException(nameof(lease))).RunId} is no longer leased to node {lease.NodeId} (lease generation "
            + $"{lease.Generation}): "
                + (
                    holderNodeId is null
                        ? $"nobody holds it now (generation {currentGeneration})"
                        : $"node {holderNodeId} holds it now (generation {currentGeneration})"))
    {
        Lease = lease;
        HolderNodeId = holderNodeId;
        CurrentGeneration = currentGeneration;
    }

    /// <summary>The lease could not be kept (<paramref name="reason"/>: a renewal found it taken, or the store stayed unreachable until it
    /// expired).</summary>
    public LeaseLostException(RunLease lease, string reason)
        : base(
            $"run {(lease ?? throw new ArgumentNullException(nameof(lease))).RunId} is no longer leased to node {lease.NodeId} (lease generation "
            + $"{lease.Generation}): {reason}")
    {
        Lease = lease;
        CurrentGeneration = lease.Generation;
    }

    /// <summary>The stale lease the write was made under.</summary>
    public RunLease Lease { get; }

    /// <summary>The node holding the run now; null when nobody does.</summary>
    public string? HolderNodeId { get; }

    /// <summary>The run's lease generation now.</summary>
    public long CurrentGeneration { get; }
}
