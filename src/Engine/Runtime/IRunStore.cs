namespace Gantry.Engine.Runtime;

/// <summary>
/// Where runs and their journals live. In memory for tests and one-shot CLI runs; SQLite by
/// default and PostgreSQL for several nodes. Every append is durable before it returns, so a
/// step transition is committed before the next step starts.
/// </summary>
public interface IRunStore
{
    Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a run with its first journal events (what triggered it) and returns them with their
    /// sequences. The durable stores write both in one commit; this default writes them one after the other.
    /// </summary>
    async Task<IReadOnlyList<JournalEvent>> CreateRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(firstEvents);

        await CreateRunAsync(run, cancellationToken).ConfigureAwait(false);
        return firstEvents.Count == 0 ? [] : await AppendAsync(run.Id, firstEvents, cancellationToken).ConfigureAwait(false);
    }

    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Sets status and message; returns the updated record.</summary>
    Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken);

    /// <summary>
    /// Sets status and message only while the run is still Pending; null when it no longer is
    /// (another run or node moved it first). The concurrency queue's claims and supersessions go through it.
    /// </summary>
    Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken);

    /// <summary>Appends events in order, assigning sequences; returns them with their sequences.</summary>
    Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Appends events and sets the run's status and message in the same commit (a run's start with its
    /// run.started, its end with its run.finished), each fenced as on its own; returns the events with their
    /// sequences and the run as updated. The durable stores write both at once; this default writes the
    /// events, then the status.
    /// </summary>
    /// <param name="releaseLease">Also give up the run's lease in the same commit (its end, when nothing more is written for it): the
    /// returned run then names no holder. This default leaves the lease alone (the returned run still names its holder), and the
    /// holder releases it itself.</param>
    async Task<(IReadOnlyList<JournalEvent> Events, RunRecord Run)> AppendWithStatusAsync(
        string runId,
        IReadOnlyList<JournalEvent> events,
        RunStatus status,
        string? message,
        bool releaseLease,
        CancellationToken cancellationToken)
    {
        var written = await AppendAsync(runId, events, cancellationToken).ConfigureAwait(false);
        return (written, await UpdateStatusAsync(runId, status, message, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Events with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken);

    /// <summary>Takes a concurrency key for a run; returns null when taken, else the id of the run holding it.</summary>
    Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken);

    Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken);
}
