using System.Collections.Concurrent;
using Gantry.Engine.Runtime;

namespace Gantry.Server.Runs;

/// <summary>Wakes event streams when their run's journal grows, so they need not poll the store at a fast rate.</summary>
internal sealed class RunEventNotifier : IJournalObserver
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public void OnEvent(RunRecord run, JournalEvent journalEvent)
    {
        if (_waiters.TryRemove(run.Id, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Completes at the run's next journal event, or after <paramref name="timeout"/> (events written by other processes are found by
    /// polling).</summary>
    public async Task WaitAsync(string runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Time to look at the store again.
        }
    }
}
