namespace Gantry.Engine.Runtime;

/// <summary>The in-memory store's leases: the same contract as the durable stores, kept on the run records.</summary>
public sealed partial class InMemoryRunStore
{
    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            IReadOnlyList<ClaimedRun> claimed = _runs
                .Values.Where(r => !r.IsLeasedAt(now))
                .Where(r =>
                    r.Status is RunStatus.Pending or RunStatus.Running
                    || (r.Status == RunStatus.Waiting && JournalState.WokenSinceLastPass(_journals[r.Id])))
                .OrderBy(r => r.CreatedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Take(Math.Max(0, max))
                .Select(r => Claim(r.Id, nodeId, now + lease))
                .ToList();
            return Task.FromResult(claimed);
        }
    }

    public Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (!_runs.TryGetValue(runId, out var run) || (run.IsLeasedAt(now) && run.LeaseOwner != nodeId))
            {
                return Task.FromResult<RunLease?>(null);
            }

            return Task.FromResult<RunLease?>(Claim(runId, nodeId, now + lease).Lease);
        }
    }

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);

        lock (_gate)
        {
            if (!IsCurrent(lease))
            {
                return Task.FromResult(false);
            }

            _runs[lease.RunId] = _runs[lease.RunId] with { LeaseExpiresAt = _time.GetUtcNow() + duration };
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);

        lock (_gate)
        {
            if (IsCurrent(lease))
            {
                _runs[lease.RunId] = _runs[lease.RunId] with { LeaseOwner = null, LeaseExpiresAt = null };
            }
        }

        return Task.CompletedTask;
    }

    public IRunStore Fenced(RunLease lease) => new FencedView(this, lease);

    private ClaimedRun Claim(string runId, string nodeId, DateTimeOffset expires)
    {
        var generation = ++_generations[runId];
        var run = _runs[runId] = _runs[runId] with { LeaseOwner = nodeId, LeaseExpiresAt = expires };
        return new ClaimedRun(run, new RunLease(runId, nodeId, generation));
    }

    private bool IsCurrent(RunLease lease) =>
        _runs.TryGetValue(lease.RunId, out var run) && run.LeaseOwner == lease.NodeId && _generations[lease.RunId] == lease.Generation;

    private void CheckFence(string runId, RunLease? fence)
    {
        if (fence is not null && string.Equals(fence.RunId, runId, StringComparison.Ordinal) && !IsCurrent(fence))
        {
            throw new LeaseLostException(fence, _runs.GetValueOrDefault(runId)?.LeaseOwner, _generations.GetValueOrDefault(runId));
        }
    }

    /// <summary>The store as the holder of one lease sees it: that run's writes are checked against the lease under the store's lock.</summary>
    private sealed class FencedView(InMemoryRunStore store, RunLease lease) : IRunStore
    {
        public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => store.CreateRunAsync(run, cancellationToken);

        public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => store.GetRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
            store.ListRunsAsync(query, cancellationToken);

        public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
            store.UpdateStatusAsync(runId, status, message, lease);

        public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
            store.UpdatePendingAsync(runId, status, message, lease);

        public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken) =>
            store.AppendAsync(runId, events, lease);

        public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken) =>
            store.ReadJournalAsync(runId, afterSequence, cancellationToken);

        public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) =>
            store.TryAcquireKeyAsync(key, runId, lease);

        public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) => store.ReleaseKeyAsync(key, runId, lease);
    }
}
