using Gantry.Engine.Runtime;

namespace Gantry.Benchmarks;

/// <summary>
/// An in-memory run store that can be emptied between invocations, so thousands of finished runs
/// do not pile up in memory and skew later iterations with garbage-collection work.
/// </summary>
internal sealed class FreshRunStore : IRunStore
{
    private InMemoryRunStore _inner = new();

    public void Reset() => _inner = new InMemoryRunStore();

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => _inner.CreateRunAsync(run, cancellationToken);

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => _inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => _inner.ListRunsAsync(query, cancellationToken);

    public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) => _inner.UpdateStatusAsync(runId, status, message, cancellationToken);

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) => _inner.UpdatePendingAsync(runId, status, message, cancellationToken);

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken) => _inner.AppendAsync(runId, events, cancellationToken);

    public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken) => _inner.ReadJournalAsync(runId, afterSequence, cancellationToken);

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) => _inner.TryAcquireKeyAsync(key, runId, cancellationToken);

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) => _inner.ReleaseKeyAsync(key, runId, cancellationToken);
}
