using Gantry.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>A node's lease store that records each poll (its clock's time and how many runs it claimed).</summary>
internal sealed class ClaimRecordingLeases(IRunLeaseStore inner, TimeProvider time) : IRunLeaseStore
{
    private readonly List<(DateTimeOffset Time, int Claimed)> _polls = [];

    public TaskCompletionSource Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(DateTimeOffset Time, int Claimed)> Polls
    {
        get
        {
            lock (_polls)
            {
                return [.. _polls];
            }
        }
    }

    public async Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var claimed = await inner.ClaimRunsAsync(nodeId, lease, max, cancellationToken);
        lock (_polls)
        {
            _polls.Add((at, claimed.Count));
        }

        if (claimed.Count > 0)
        {
            Claimed.TrySetResult();
        }

        return claimed;
    }

    public Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken) => inner.TryClaimRunAsync(runId, nodeId, lease, cancellationToken);

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken) => inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(lease, cancellationToken);

    public IRunStore Fenced(RunLease lease) => inner.Fenced(lease);
}

/// <summary>A fake clock that says when a timer was made, so a test advances it only once a loop waits on it.</summary>
internal sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly SemaphoreSlim _created = new(0);

    /// <summary>Completes once per timer made (a <c>Task.Delay</c> on this clock makes one).</summary>
    public Task TimerCreated => _created.WaitAsync();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Release();
        return timer;
    }
}
