using Gantry.Engine.Activities;

namespace Gantry.Engine.Runtime;

/// <summary>
/// A run's state rebuilt from its journal alone: which step instances finished (with outputs),
/// which is waiting and for what, which signals arrived, and how the run ended.
/// Replaying a journal always gives the same state.
/// </summary>
public sealed class JournalState
{
    private readonly Dictionary<string, JournalEvent> _finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JournalEvent> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<SignalDelivery>> _signalsByStep = new(StringComparer.Ordinal);
    private readonly List<SignalDelivery> _unclaimedSignals = [];
    private readonly Dictionary<string, long> _startedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _asks = new(StringComparer.Ordinal);

    public long LastSequence { get; private set; }

    public RunStatus Status { get; private set; } = RunStatus.Pending;

    public string? Message { get; private set; }

    public bool CancelRequested { get; private set; }

    public string? CancelledBy { get; private set; }

    /// <summary>Whether the run has ended (run.finished) and was not retried since.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// Whether a signal or a cancel request was journaled after the run's latest execution pass began
    /// (its last run.started or run.resumed): a Waiting run that was, needs executing again. The stores'
    /// claim queries ask the same.
    /// </summary>
    public static bool WokenSinceLastPass(IReadOnlyList<JournalEvent> journal)
    {
        var pass = journal.LastOrDefault(e => e.Type is JournalEventTypes.RunStarted or JournalEventTypes.RunResumed)?.Sequence ?? 0;
        return journal.Any(e => e.Sequence > pass && e.Type is JournalEventTypes.SignalReceived or JournalEventTypes.RunCancelRequested);
    }

    public static JournalState Replay(IEnumerable<JournalEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);

        var state = new JournalState();
        foreach (var e in events)
        {
            state.Apply(e);
        }

        return state;
    }

    /// <summary>Step instances that ended (succeeded, failed, skipped), by key.</summary>
    public IReadOnlyDictionary<string, JournalEvent> Finished => _finished;

    /// <summary>Step instances waiting now, by key.</summary>
    public IReadOnlyDictionary<string, JournalEvent> Waiting => _waiting;

    /// <summary>How many times the step instance asked what to do about its failure (<see cref="GuidedFailure"/>).</summary>
    public int AsksFor(string key) => _asks.GetValueOrDefault(key);

    public bool TryGetFinished(string key, out JournalEvent finished) => _finished.TryGetValue(key, out finished!);

    /// <summary>Signals that arrived while the step was waiting and may resume it, oldest first.</summary>
    public IReadOnlyList<SignalDelivery> SignalsFor(string key) =>
        _signalsByStep.TryGetValue(key, out var list) ? list : [];

    public void Apply(JournalEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);

        LastSequence = Math.Max(LastSequence, e.Sequence);
        switch (e.Type)
        {
            case JournalEventTypes.RunStarted or JournalEventTypes.RunResumed:
                Status = RunStatus.Running;
                break;
            case JournalEventTypes.StepStarted:
                _startedAt[e.Path!] = e.Sequence;
                break;
            case JournalEventTypes.RunRetried:
                ApplyRetry(e);
                break;
            case JournalEventTypes.StepSucceeded or JournalEventTypes.StepFailed or JournalEventTypes.StepSkipped:
                _finished[e.Path!] = e;
                _waiting.Remove(e.Path!);
                break;
            case JournalEventTypes.StepWaiting:
                _waiting[e.Path!] = e;
                if (e.Wait?.Kind == GuidedFailure.Kind)
                {
                    _asks[e.Path!] = _asks.GetValueOrDefault(e.Path!) + 1;
                }

                Status = RunStatus.Waiting;
                if (!_signalsByStep.ContainsKey(e.Path!))
                {
                    // Signals sent before the step began waiting still count: a merge may land first.
                    _signalsByStep[e.Path!] = _unclaimedSignals.Where(s => s.Name == e.Wait?.Signal).ToList();
                }

                break;
            case JournalEventTypes.SignalReceived:
                var signal = new SignalDelivery(e.Signal!, e.Payload, e.Actor, e.Time);
                var targets = _waiting
                    .Where(w => w.Value.Wait?.Signal == e.Signal && (e.Path is null || e.Path == w.Key))
                    .Select(w => w.Key)
                    .ToList();
                if (targets.Count == 0)
                {
                    _unclaimedSignals.Add(signal);
                }

                foreach (var target in targets)
                {
                    _signalsByStep[target].Add(signal);
                }

                break;
            case JournalEventTypes.RunCancelRequested:
                CancelRequested = true;
                CancelledBy = e.Actor;
                break;
            case JournalEventTypes.RunFinished:
                Status = e.Status ?? RunStatus.Failed;
                Message = e.Message;
                Ended = true;
                break;
        }
    }

    /// <summary>
    /// A retry (<see cref="RetryPoint"/>): step instances that started before the retry point and succeeded
    /// or were skipped stay finished (their outputs are replayed); every other one runs again. Waits,
    /// signals and the cancel request of the earlier attempt no longer count.
    /// </summary>
    private void ApplyRetry(JournalEvent e)
    {
        var before = RetryBoundary(e);
        foreach (var (key, finished) in _finished.ToList())
        {
            var position = _startedAt.GetValueOrDefault(key, finished.Sequence);
            if (position >= before || finished.Type == JournalEventTypes.StepFailed)
            {
                _finished.Remove(key);
            }
        }

        _waiting.Clear();
        _signalsByStep.Clear();
        _unclaimedSignals.Clear();
        Status = RunStatus.Pending;
        Message = null;
        CancelRequested = false;
        CancelledBy = null;
        Ended = false;
    }

    /// <summary>The sequence of the retry point's step.started, carried in the run.retried payload.</summary>
    internal static long RetryBoundary(JournalEvent retried) =>
        retried.Payload is IReadOnlyDictionary<string, object?> payload && payload.GetValueOrDefault(RetriedBeforeKey) is { } value
            ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
            : retried.Sequence;

    internal const string RetriedBeforeKey = "before";
}
