using Gantry.Engine.Expressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Writes a run's journal: masks secrets in every text (message, inputs, outputs, payload, error, wait), stamps the time, commits through the
/// store before returning (so a transition is durable before the next step starts), then tells
/// observers. Observers never fail the run. An append that fails, rejected because the run's lease
/// was lost or because the store cannot be reached, is reported through <c>abandon</c> before it
/// throws: an execution that cannot journal what it does must stop doing things (touch no load
/// balancer again), not fail the step and run on_failure.
/// </summary>
internal sealed class JournalWriter(
    RunRecord run,
    IRunStore store,
    SecretMasker masker,
    TimeProvider time,
    IReadOnlyList<IJournalObserver> observers,
    Action<Exception>? observerFailed,
    Action<Exception>? abandon = null)
{
    private readonly Lock _chain = new();

    // The last write queued: each write starts once the one before it has ended, so the journal keeps
    // the order in which events were appended, without a caller having to wait for the writes before its own.
    private Task _tail = Task.CompletedTask;

    // Events held back by Defer, written with the next event in one commit.
    private List<JournalEvent>? _deferred;

    // Whether a flush of posted lines is queued on the thread pool.
    private bool _postedFlushQueued;

    // A status held back by Defer (the run's Running at its start), set in the commit of the deferred events.
    private RunStatus? _deferredStatus;

    // The last write that carried deferred events: FlushAsync waits for it.
    private Task _carrier = Task.CompletedTask;

    /// <summary>Where a failing observer is logged, with the run and step ids in scope.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Appends one event; the task ends once it is committed (or has failed), after every event appended before it.</summary>
    public Task AppendAsync(JournalEvent journalEvent)
    {
        var masked = Masked(journalEvent);
        lock (_chain)
        {
            return Chain(masked, null);
        }
    }

    /// <summary>
    /// Appends one event and sets the run's status and message in the same commit (its end with its
    /// run.finished: a reader never sees one without the other); returns the run as stored then.
    /// </summary>
    /// <param name="releaseLease">Give up the run's lease in that commit too, where the store can (the returned run then names no
    /// holder): its end, when nothing more is written for it.</param>
    public async Task<RunRecord> AppendAsync(JournalEvent journalEvent, RunStatus status, string? message, bool releaseLease = false)
    {
        var masked = Masked(journalEvent);
        Task<RunRecord?> write;
        lock (_chain)
        {
            write = Chain(masked, new StatusChange(status, message is null ? null : masker.Apply(message), releaseLease));
        }

        return (await write.ConfigureAwait(false))!;
    }

    /// <summary>
    /// Holds an event back to be committed with the next one appended (a step's end with the next step's
    /// start: one commit per step transition instead of two). The caller must make sure it is committed
    /// before anything else happens: the next append does that, and <see cref="FlushAsync"/> writes it alone.
    /// </summary>
    /// <param name="status">A status for the run, set in the commit that takes the event (its Running with its run.started).</param>
    public void Defer(JournalEvent journalEvent, RunStatus? status = null)
    {
        var masked = Masked(journalEvent);
        lock (_chain)
        {
            (_deferred ??= []).Add(masked);
            _deferredStatus = status ?? _deferredStatus;
        }
    }

    /// <summary>
    /// Ends once every deferred event is committed: written now if no append has taken it along yet.
    /// Called before an activity acts and wherever an execution stops, so a step that returned is
    /// committed before the next one does anything, as if it had been appended on its own.
    /// </summary>
    public Task FlushAsync()
    {
        lock (_chain)
        {
            return _deferred is null ? _carrier : Chain(null, null);
        }
    }

    /// <summary>
    /// Journals a log line or progress report without waiting for it: activities log from synchronous
    /// code, and blocking a thread on every line starved the thread pool when a hundred hosts logged at
    /// once (they then ran one after another). The line joins the events waiting for the next write and a
    /// flush is queued on the thread pool, so lines posted together (a hundred hosts' output, a step's last
    /// line and its end) share one commit. It is still journaled in order, before any event appended after
    /// it (a step's end included); a write that fails stops the execution through <c>abandon</c>.
    /// </summary>
    public void Post(JournalEvent journalEvent)
    {
        var masked = Masked(journalEvent);
        lock (_chain)
        {
            (_deferred ??= []).Add(masked);
            if (_postedFlushQueued)
            {
                return;
            }

            _postedFlushQueued = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static writer => writer.FlushPosted(), this, preferLocal: false);
    }

    // Writes what Post left waiting, unless an append took it along meanwhile.
    private void FlushPosted()
    {
        Task write;
        lock (_chain)
        {
            _postedFlushQueued = false;
            write = _deferred is null ? Task.CompletedTask : Chain(null, null);
        }

        // (its failure has stopped the execution through abandon; nothing waits for this task)
        write.ContinueWith(
            static t => t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    // Under _chain: queues one write of the deferred events followed by next (when given), with the status
    // given or deferred (the one given wins: a run that ends in the commit that starts it ends).
    private Task<RunRecord?> Chain(JournalEvent? next, StatusChange? status)
    {
        IReadOnlyList<JournalEvent> batch;
        status ??= _deferredStatus is { } deferredStatus ? new StatusChange(deferredStatus, null, ReleaseLease: false) : null;
        _deferredStatus = null;
        var deferred = _deferred;
        if (deferred is null)
        {
            batch = [next!];
        }
        else
        {
            if (next is not null)
            {
                deferred.Add(next);
            }

            batch = deferred;
            _deferred = null;
        }

        var write = WriteAfterAsync(_tail, batch, status);
        _tail = write;
        if (deferred is not null)
        {
            _carrier = write;
        }

        return write;
    }

    private JournalEvent Masked(JournalEvent journalEvent) =>
        journalEvent with
        {
            Time = time.GetUtcNow(),
            Message = journalEvent.Message is null ? null : masker.Apply(journalEvent.Message),
            Inputs = masker.Apply(journalEvent.Inputs),
            Outputs = masker.Apply(journalEvent.Outputs),
            Payload = masker.Apply(journalEvent.Payload),
            Error = journalEvent.Error is null
                ? null
                : journalEvent.Error with
                {
                    Message = masker.Apply(journalEvent.Error.Message),
                    Where = journalEvent.Error.Where is null ? null : masker.Apply(journalEvent.Error.Where),
                },
            Wait = journalEvent.Wait is null ? null : journalEvent.Wait with { Description = masker.Apply(journalEvent.Wait.Description) },
            Actor = journalEvent.Actor is null ? null : masker.Apply(journalEvent.Actor),
        };

    private async Task<RunRecord?> WriteAfterAsync(Task previous, IReadOnlyList<JournalEvent> batch, StatusChange? status)
    {
        if (!previous.IsCompleted)
        {
            // The earlier write's outcome belongs to its own caller; this one only waits its turn.
            await previous
                .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
        }

        // The journal is the record of what happened: writing it is not cancellable.
        IReadOnlyList<JournalEvent> written;
        RunRecord? stored = null;
        try
        {
            if (status is { } change)
            {
                (written, stored) = await store
                    .AppendWithStatusAsync(run.Id, batch, change.Status, change.Message, change.ReleaseLease, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            else
            {
                written = await store.AppendAsync(run.Id, batch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Another node holds the run now, or this one cannot reach the store: stop every branch of
            // this execution, not only this one.
            abandon?.Invoke(ex);
            throw;
        }

        foreach (var journalEvent in written)
        {
            foreach (var observer in observers)
            {
                try
                {
                    observer.OnEvent(run, journalEvent);
                }
                catch (Exception ex)
                {
                    using (EngineLog.BeginRun(Logger, run.Id, journalEvent.Path))
                    {
                        EngineLog.ObserverFailed(Logger, observer.GetType().Name, journalEvent.Type, run.Id, new MaskedException(ex, masker));
                    }

                    observerFailed?.Invoke(ex);
                }
            }
        }

        return stored;
    }

    public Task LogAsync(string? path, string message, bool warn = false, string? host = null) =>
        AppendAsync(
            new JournalEvent
            {
                Type = JournalEventTypes.Log,
                Path = path,
                Message = message,
                Host = host,
                Status = null,
                Actor = warn ? "warn" : null,
            });

    public Task ProgressAsync(string path, int done, int total, int failed) =>
        AppendAsync(ProgressEvent(path, done, total, failed));

    public static JournalEvent ProgressEvent(string path, int done, int total, int failed) =>
        new()
        {
            Type = JournalEventTypes.Progress,
            Path = path,
            Message = $"{done}/{total} done, {failed} failed",
            Payload = new Dictionary<string, object?>
            {
                ["done"] = (long)done,
                ["total"] = (long)total,
                ["failed"] = (long)failed,
            },
        };

    /// <summary>A status set in the commit of a batch of events.</summary>
    private sealed record StatusChange(RunStatus Status, string? Message, bool ReleaseLease);
}
