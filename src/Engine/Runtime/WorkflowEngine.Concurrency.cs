using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The concurrency queue. At most one run holds a key (the store's key table decides); the others
/// wait as Pending runs in the store, so the queue survives restarts and is shared by every node.
/// With <c>queue: latest</c>, only the newest pending run may take the key: the one that does
/// supersedes the older ones, naming itself, so each superseded run names the run that went instead. Every Pending → Running/Superseded move is a
/// conditional update,
/// so two nodes (or two promotions) never both move one run.
/// </summary>
public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Takes the run's key, or queues it. Returns (true, the run now Running or already holding the
    /// key) to execute it, or (false, the run as it ends up: Pending, Superseded…) otherwise.
    /// </summary>
    private async Task<(bool Claimed, RunRecord Run)> ClaimKeyAsync(RunRecord record, IRunStore store, CancellationToken cancellationToken)
    {
        var key = record.ConcurrencyKey!;
        var latest = QueueOf(record) == ConcurrencyQueue.Latest;
        if (await store.TryAcquireKeyAsync(key, record.Id, cancellationToken).ConfigureAwait(false) is { } holder)
        {
            if (record.Status != RunStatus.Pending)
            {
                throw new InvalidOperationException(
                    $"run {record.Id} is {record.Status.ToString().ToLowerInvariant()} but concurrency key '{key}' is held by run {holder}");
            }

            var message = $"queued behind run {holder}, which holds concurrency key '{key}'";
            return (false, await store.UpdatePendingAsync(record.Id, RunStatus.Pending, message, cancellationToken).ConfigureAwait(false)
                ?? await GetAsync(record.Id, cancellationToken).ConfigureAwait(false));
        }

        if (record.Status != RunStatus.Pending)
        {
            return (true, record); // a resumed run keeps the key it took when it started
        }

        if (latest
            && (await PendingAsync(key, cancellationToken).ConfigureAwait(false)).LastOrDefault() is { } newest
            && newest.Id != record.Id
            && IsOlder(record, newest))
        {
            // A newer run was queued meanwhile: it goes instead of this one.
            await SupersedeAsync(store, record, newest.Id, key, cancellationToken).ConfigureAwait(false);
            return (false, await ReleaseAndPromoteAsync(record, store, key, cancellationToken).ConfigureAwait(false));
        }

        if (await store.UpdatePendingAsync(record.Id, RunStatus.Running, null, cancellationToken).ConfigureAwait(false) is not { } running)
        {
            // Superseded or cancelled while it was taking the key.
            return (false, await ReleaseAndPromoteAsync(record, store, key, cancellationToken).ConfigureAwait(false));
        }

        if (latest)
        {
            await SupersedeOlderAsync(running, key, cancellationToken).ConfigureAwait(false);
        }

        return (true, running);
    }

    /// <summary>When a key is freed, the next queued run starts: the oldest, or with queue: latest the newest (the older ones end
    /// superseded).</summary>
    private async Task PromoteQueuedAsync(string key, CancellationToken cancellationToken)
    {
        var queued = await PendingAsync(key, cancellationToken).ConfigureAwait(false);
        if (queued.Count == 0)
        {
            return;
        }

        var next = queued[0];
        if (QueueOf(queued[^1]) == ConcurrencyQueue.Latest)
        {
            next = queued[^1];
            await SupersedeOlderAsync(next, key, cancellationToken).ConfigureAwait(false);
        }

        if (_options.ResumeInProcess)
        {
            RunInBackground(next.Id);
        }
    }

    /// <summary>Queues whose holder ended while no process was there to move them on.</summary>
    private async Task RecoverQueuesAsync(CancellationToken cancellationToken)
    {
        var pending = await _store
            .ListRunsAsync(new RunQuery { Statuses = [RunStatus.Pending], Limit = 10_000 }, cancellationToken)
            .ConfigureAwait(false);
        foreach (var key in pending.Select(r => r.ConcurrencyKey).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await PromoteQueuedAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RunRecord> ReleaseAndPromoteAsync(RunRecord record, IRunStore store, string key, CancellationToken cancellationToken)
    {
        await store.ReleaseKeyAsync(key, record.Id, CancellationToken.None).ConfigureAwait(false);
        await PromoteQueuedAsync(key, CancellationToken.None).ConfigureAwait(false);
        return await GetAsync(record.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task SupersedeOlderAsync(RunRecord newer, string key, CancellationToken cancellationToken)
    {
        foreach (var older in (await PendingAsync(key, cancellationToken).ConfigureAwait(false)).Where(r => IsOlder(r, newer)))
        {
            await SupersedeAsync(_store, older, newer.Id, key, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SupersedeAsync(IRunStore store, RunRecord run, string byRunId, string key, CancellationToken cancellationToken)
    {
        var message = $"superseded by run {byRunId}, a newer run for concurrency key '{key}' (queue: latest)";
        if (await store.UpdatePendingAsync(run.Id, RunStatus.Superseded, message, cancellationToken).ConfigureAwait(false) is not null)
        {
            await store
                .AppendAsync(
                    run.Id,
                    [
                        new JournalEvent
                        {
                            Type = JournalEventTypes.RunFinished,
                            Status = RunStatus.Superseded,
                            Message = message,
                            Time = _time.GetUtcNow(),
                        }],
                    cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Pending runs of a key, oldest first.</summary>
    private async Task<List<RunRecord>> PendingAsync(string key, CancellationToken cancellationToken) => (
            await _store
                .ListRunsAsync(
                    new RunQuery
                    {
                        ConcurrencyKey = key,
                        Statuses = [RunStatus.Pending],
                        Limit = 10_000,
                    },
                    cancellationToken)
                .ConfigureAwait(false)
        ).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

    private static bool IsOlder(RunRecord run, RunRecord than) =>
        run.CreatedAt < than.CreatedAt || (run.CreatedAt == than.CreatedAt && string.CompareOrdinal(run.Id, than.Id) < 0);

    private static ConcurrencyQueue QueueOf(RunRecord run) =>
        DocumentLoader.LoadWorkflow(run.Definitions[run.WorkflowId], run.WorkflowId).Value?.Concurrency?.Queue ?? ConcurrencyQueue.All;
}
