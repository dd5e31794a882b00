using Gantry.Engine.Expressions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Writes a run's journal: masks secrets in every text (message, inputs, outputs, payload, error, wait), stamps the time, commits through the
/// store before returning (so a transition is durable before the next step starts), then tells
/// observers. Observers never fail the run. An append that fails, rejected because the run's lease
/// was lost or because the store cannot be reached, is reported through <c>abandon</c> before it
/// throws: an execution that cannot journal what it does must stop doing things (touch no load
/// balancer again), not fail the step and run on_failure.
/// </summary>
internal sealed class JournalWriter(RunRecord run, IRunStore store, SecretMasker masker, TimeProvider time, IReadOnlyList<IJournalObserver> observers, Action<Exception>? observerFailed, Action<Exception>? abandon = null)
{
    private readonly SemaphoreSlim _order = new(1, 1);

    public async Task AppendAsync(JournalEvent journalEvent)
    {
        var masked = journalEvent with
        {
            Time = time.GetUtcNow(),
            Message = journalEvent.Message is null ? null : masker.Apply(journalEvent.Message),
            Inputs = masker.Apply(journalEvent.Inputs),
            Outputs = masker.Apply(journalEvent.Outputs),
            Payload = masker.Apply(journalEvent.Payload),
            Error = journalEvent.Error is null ? null : journalEvent.Error with { Message = masker.Apply(journalEvent.Error.Message), Where = journalEvent.Error.Where is null ? null : masker.Apply(journalEvent.Error.Where) },
            Wait = journalEvent.Wait is null ? null : journalEvent.Wait with { Description = masker.Apply(journalEvent.Wait.Description) },
            Actor = journalEvent.Actor is null ? null : masker.Apply(journalEvent.Actor),
        };

        // The journal is the record of what happened: writing it is not cancellable.
        await _order.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        IReadOnlyList<JournalEvent> written;
        try
        {
            written = await store.AppendAsync(run.Id, [masked], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Another node holds the run now, or this one cannot reach the store: stop every branch of
            // this execution, not only this one.
            abandon?.Invoke(ex);
            throw;
        }
        finally
        {
            _order.Release();
        }

        foreach (var observer in observers)
        {
            try
            {
                observer.OnEvent(run, written[0]);
            }
            catch (Exception ex)
            {
                observerFailed?.Invoke(ex);
            }
        }
    }

    public Task LogAsync(string? path, string message, bool warn = false, string? host = null) =>
        AppendAsync(new JournalEvent { Type = JournalEventTypes.Log, Path = path, Message = message, Host = host, Status = null, Actor = warn ? "warn" : null });

    public Task ProgressAsync(string path, int done, int total, int failed) =>
        AppendAsync(new JournalEvent { Type = JournalEventTypes.Progress, Path = path, Message = $"{done}/{total} done, {failed} failed", Payload = new Dictionary<string, object?> { ["done"] = (long)done, ["total"] = (long)total, ["failed"] = (long)failed } });
}
