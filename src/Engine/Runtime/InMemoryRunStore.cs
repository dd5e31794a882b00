namespace Gantry.Engine.Runtime;

/// <summary>
/// A run store in process memory: for tests and one-shot CLI runs that need no history. It keeps leases
/// like the durable stores, so every execution holds one here too.
/// </summary>
public sealed partial class InMemoryRunStore(TimeProvider? time = null) : IRunStore, IRunLeaseStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunRecord> _runs = [];
    private readonly Dictionary<string, List<JournalEvent>> _journals = [];
    private readonly Dictionary<string, string> _keys = [];
    private readonly Dictionary<string, long> _generations = [];

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);

        lock (_gate)
        {
            if (!_runs.TryAdd(run.Id, run))
            {
                throw new RunAlreadyExistsException(run.Id);
            }

            _journals[run.Id] = [];
            _generations[run.Id] = 0;
        }

        return Task.CompletedTask;
    }

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        lock (_gate)
        {
            IReadOnlyList<RunRecord> runs = _runs.Values
                .Where(r => query.WorkflowId is null || r.WorkflowId == query.WorkflowId)
                .Where(r => query.EnvironmentId is null || r.EnvironmentId == query.EnvironmentId)
                .Where(r =>
                    query.Trigger is null || r.Trigger == query.Trigger || r.Trigger.StartsWith(query.Trigger + ":", StringComparison.Ordinal))
                .Where(r => query.ConcurrencyKey is null || r.ConcurrencyKey == query.ConcurrencyKey)
                .Where(r => query.Statuses is null || query.Statuses.Contains(r.Status))
                .Where(r =>
                    query.WaitedForSignal is null
                    || _journals[r.Id].Any(e => e.Type == JournalEventTypes.StepWaiting && e.Wait?.Signal == query.WaitedForSignal))
                .Where(r => !query.WaitedOnTimer || _journals[r.Id].Any(e => e.Type == JournalEventTypes.StepWaiting && e.Wait?.ResumeAt is not null))
                .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)
                .Skip(query.Offset).Take(query.Limit)
                .ToList();
            return Task.FromResult(runs);
        }
    }

    public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        UpdateStatusAsync(runId, status, message, null);

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        UpdatePendingAsync(runId, status, message, null);

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken) =>
        AppendAsync(runId, events, null);

    public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Get(runId);
            return Task.FromResult<IReadOnlyList<JournalEvent>>(_journals[runId].Where(e => e.Sequence > afterSequence).ToList());
        }
    }

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) =>
        TryAcquireKeyAsync(key, runId, null);

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) =>
        ReleaseKeyAsync(key, runId, null);

    private Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, RunLease? fence)
    {
        lock (_gate)
        {
            CheckFence(runId, fence);
            var updated = Get(runId) with { Status = status, Message = message, UpdatedAt = _time.GetUtcNow() };
            _runs[runId] = updated;
            return Task.FromResult(updated);
        }
    }

    private Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, RunLease? fence)
    {
        lock (_gate)
        {
            CheckFence(runId, fence);
            if (Get(runId).Status != RunStatus.Pending)
            {
                return Task.FromResult<RunRecord?>(null);
            }

            var updated = _runs[runId] with { Status = status, Message = message, UpdatedAt = _time.GetUtcNow() };
            _runs[runId] = updated;
            return Task.FromResult<RunRecord?>(updated);
        }
    }

    private Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, RunLease? fence)
    {
        lock (_gate)
        {
            Get(runId);
            CheckFence(runId, fence);
            var journal = _journals[runId];
            var appended = events.Select((e, i) => e with { Sequence = journal.Count + i + 1 }).ToList();
            journal.AddRange(appended);
            return Task.FromResult<IReadOnlyList<JournalEvent>>(appended);
        }
    }

    private Task<string?> TryAcquireKeyAsync(string key, string runId, RunLease? fence)
    {
        lock (_gate)
        {
            CheckFence(runId, fence);

            // A holder that finished without releasing (its process died between the two writes) holds nothing.
            if (_keys.TryGetValue(key, out var holder) && holder != runId && !(_runs.TryGetValue(holder, out var held) && held.IsFinished))
            {
                return Task.FromResult<string?>(holder);
            }

            _keys[key] = runId;
            return Task.FromResult<string?>(null);
        }
    }

    private Task ReleaseKeyAsync(string key, string runId, RunLease? fence)
    {
        lock (_gate)
        {
            CheckFence(runId, fence);
            if (_keys.TryGetValue(key, out var holder) && holder == runId)
            {
                _keys.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    private RunRecord Get(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run : throw new KeyNotFoundException($"no run with id '{runId}'");
}
