using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Starts, runs, signals and cancels workflow runs. A run executes until it finishes or suspends
/// on a wait; a suspended run holds no thread, and a signal (or timer) runs it again from its journal.
/// </summary>
public sealed partial class WorkflowEngine
{
    private readonly IRunStore _store;
    private readonly ActivityRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IJournalObserver> _observers;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _background = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ITimer> _timers = new(StringComparer.Ordinal);
    private readonly PinnedDefinitionCache _definitions = new();
    private readonly RunMaskers _maskers = new();
    private readonly ILogger _logger;

    /// <param name="logger">Where failures off any caller's path go (observers, background runs, lease renewals); none logs nothing.</param>
    public WorkflowEngine(
        IRunStore store,
        ActivityRegistry registry,
        IServiceProvider services,
        EngineOptions? options = null,
        TimeProvider? time = null,
        IEnumerable<IJournalObserver>? observers = null,
        ILogger<WorkflowEngine>? logger = null)
    {
        _store = store;
        _registry = registry;
        _services = services;
        _options = options ?? new EngineOptions();
        _time = time ?? TimeProvider.System;
        _observers = observers?.ToList() ?? [];
        _logger = logger ?? NullLogger<WorkflowEngine>.Instance;
    }

    public IRunStore Store => _store;

    /// <summary>The masker of each run executing here, for log lines that carry a run's exception (see <see cref="RunWorker"/>).</summary>
    internal RunMaskers Maskers => _maskers;

    /// <summary>
    /// Also told when an observer or a background execution fails (after the failure is logged, with the
    /// run id in scope); the run goes on regardless.
    /// </summary>
    public Action<Exception>? ObserverFailed { get; set; }

    /// <summary>Creates a run (Pending). With concurrency queue reject, refuses when the key is held.</summary>
    public async Task<RunRecord> StartAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        var (record, triggered) = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        await _store.CreateRunAsync(record, triggered, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// <see cref="StartAsync"/> and <see cref="RunInBackground(string)"/> in one, for a run this process executes
    /// itself (the server's starts): the run is created already leased to this engine's node, in the same commit,
    /// so its claim costs no write of its own and no takeover poll (of another node or of this one) claims it before
    /// its execution begins. A run without a concurrency key is created Running (nothing queues it), so its first
    /// event writes no status either.
    /// </summary>
    public async Task<RunRecord> StartInBackgroundAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        var (record, triggered) = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        // A run with no concurrency key to wait for runs from its creation; a keyed one stays Pending until it holds its key.
        record = record.ConcurrencyKey is null ? record with { Status = RunStatus.Running } : record;
        var (journal, lease) = await Leases
            .CreateClaimedRunAsync(record, triggered, _options.NodeId, _options.Lease, cancellationToken)
            .ConfigureAwait(false);

        // Registered before its id is returned, so that a cancel on this process reaches the execution from its first moment.
        if (Register(record.Id, CancellationToken.None) is { } cancel)
        {
            RunInBackground(record.Id, before: null, new CreatedRun(record, journal, lease, cancel));
        }
        else
        {
            RunInBackground(record.Id); // (a run just created cannot be executing here already; if it were, that execution goes on with it)
        }

        return record;
    }

    /// <summary>The run a start creates, and what triggered it (journaled in the same write).</summary>
    private async Task<(RunRecord Run, IReadOnlyList<JournalEvent> Triggered)> PrepareAsync(
        StartRunRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inputs = InputBinder.Bind(request.Workflow, request.Inputs);
        EnvironmentMismatchException.ThrowIfAny(request, _registry);
        var definitions = PinDefinitions(request.Workflow, request.Library);
        var runId = request.RunId ?? NewRunId();
        var key = RenderConcurrencyKey(request, inputs, runId);
        if (key is not null && request.Workflow.Concurrency!.Queue == ConcurrencyQueue.Reject)
        {
            var holder = await _store.TryAcquireKeyAsync(key, runId, cancellationToken).ConfigureAwait(false);
            if (holder is not null)
            {
                throw new ConcurrencyConflictException(key, holder);
            }
        }

        var now = _time.GetUtcNow();
        var record = new RunRecord
        {
            Id = runId,
            WorkflowId = request.Workflow.Id,
            WorkflowVersion = request.WorkflowVersion,
            Definitions = definitions,
            EnvironmentId = request.Environment?.Id,
            EnvironmentText = request.EnvironmentText,
            EnvironmentPath = request.Environment?.SourcePath,
            Inputs = inputs,
            ConcurrencyKey = key,
            Trigger = request.Trigger,
            StartedBy = request.StartedBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        // The run and what triggered it are one write.
        IReadOnlyList<JournalEvent> triggered = request.TriggerDetails is { } details
            ? [
                new JournalEvent
                {
                    Type = JournalEventTypes.RunTriggered,
                    Time = now,
                    Message = request.Trigger,
                    Actor = request.StartedBy,
                    Payload = MaskerFor(record).Apply(details),
                }]
            : [];
        return (record, triggered);
    }

    /// <summary>Starts <see cref="RunAsync(string, CancellationToken)"/> in the background (server, signals, timers, queued runs).</summary>
    public void RunInBackground(string runId) => RunInBackground(runId, before: null, created: null);

    /// <summary>
    /// Tracks the whole background job, <paramref name="before"/> included, from the moment it is
    /// scheduled, so <see cref="WhenIdleAsync"/> never misses a run a timer is about to resume.
    /// </summary>
    /// <param name="created">The run as this process created it, leased and registered (no claim, no read before its first pass).</param>
    private void RunInBackground(string runId, Func<Task>? before, CreatedRun? created)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                if (before is not null)
                {
                    await before().ConfigureAwait(false);
                }

                await RunWakingAsync(runId, created).ConfigureAwait(false);
            }
            catch (RunHeldException)
            {
                // Another process executes the run: it sees the signal or cancel request (see SignalAsync).
            }
            catch (LeaseLostException)
            {
                // Another process took the run over while it executed here; it goes on with it.
            }
            catch (OperationCanceledException) when (HandingBack)
            {
                // The process is stopping and handed the run back (HandBackRuns): the next holder resumes it.
            }
            catch (Exception ex)
            {
                using (EngineLog.BeginRun(_logger, runId))
                {
                    EngineLog.BackgroundRunFailed(_logger, runId, _maskers.Masked(runId, ex));
                }

                ObserverFailed?.Invoke(ex);
            }
        });
        _background[runId + "#" + Guid.NewGuid().ToString("N")] = task;
        task.ContinueWith(t => CleanBackground(), TaskScheduler.Default);
    }

    /// <summary>Waits until every background execution has ended (tests, shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!_background.IsEmpty)
        {
            await Task.WhenAll(_background.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
            CleanBackground();
        }
    }

    /// <summary>
    /// Journals a signal and returns the run as it is after that: a run that is Waiting then needs
    /// a wake-up (<see cref="SignalAndWakeAsync"/>); a Running one sees the signal before it waits again.
    /// </summary>
    public Task<RunRecord> SignalAsync(string runId, string name, object? payload, string? sentBy, CancellationToken cancellationToken) =>
        SignalBatchAsync(runId, name, [payload], sentBy, cancellationToken);

    /// <summary>
    /// Journals several deliveries of one signal in one commit (e.g. a pull request's merge, its review and its
    /// check, which the waiting step needs together): a sender that dies half-way has delivered all of them or
    /// none, never a part that leaves the step waiting for the rest while the sender believes it delivered.
    /// </summary>
    public async Task<RunRecord> SignalBatchAsync(
        string runId, string name, IReadOnlyList<object?> payloads, string? sentBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (payloads.Count == 0)
        {
            // Nothing would be journaled, yet the caller would believe it delivered the signal.
            throw new ArgumentException($"signal '{name}' to run {runId} has no payloads; a batch delivers at least one", nameof(payloads));
        }

        var record = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record.IsFinished)
        {
            throw new InvalidOperationException(
                $"run {runId} has already {record.Status.ToString().ToLowerInvariant()}; signal '{name}' was not delivered");
        }

        var masker = MaskerFor(record);
        var actor = sentBy is null ? null : masker.Apply(sentBy);
        var now = _time.GetUtcNow();
        var deliveries = payloads
            .Select(payload => new JournalEvent
            {
                Type = JournalEventTypes.SignalReceived,
                Signal = name,
                Payload = masker.Apply(payload),
                Actor = actor,
                Time = now,
            })
            .ToList();
        await _store.AppendAsync(runId, deliveries, cancellationToken).ConfigureAwait(false);

        // Read after the append: together with the execution's look after it turns Waiting
        // (SignalledSinceAsync), one of the two sides always sees the other.
        return await GetAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Journals a signal and, if the run is waiting, continues it in the background.</summary>
    public async Task<RunRecord> SignalAndWakeAsync(string runId, string name, object? payload, string? sentBy, CancellationToken cancellationToken)
    {
        var record = await SignalAsync(runId, name, payload, sentBy, cancellationToken).ConfigureAwait(false);
        if (record.Status == RunStatus.Waiting)
        {
            RunInBackground(runId);
        }

        return record;
    }

    /// <summary>Requests cancellation: a running run is cancelled cooperatively and still runs on_failure and finally.</summary>
    public async Task<RunRecord> CancelAsync(string runId, string? by, CancellationToken cancellationToken)
    {
        var record = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record.IsFinished)
        {
            return record;
        }

        // Journaled unfenced, like a signal: the run's lease holder (here or in another process, whose
        // heartbeat looks for it) cancels its execution.
        await _store
            .AppendAsync(
                runId,
                [
                    new JournalEvent
                    {
                        Type = JournalEventTypes.RunCancelRequested,
                        Actor = by,
                        Time = _time.GetUtcNow(),
                    }],
                cancellationToken)
            .ConfigureAwait(false);
        if (_active.TryGetValue(runId, out var cancel))
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>After a restart: resumes runs that were executing, re-arms timers of waiting runs and moves queues whose key was freed.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var runs = await _store
            .ListRunsAsync(new RunQuery { Statuses = [RunStatus.Running, RunStatus.Waiting], Limit = 10_000 }, cancellationToken)
            .ConfigureAwait(false);
        await RecoverQueuesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs.Where(r => !_active.ContainsKey(r.Id)))
        {
            if (run.Status == RunStatus.Running)
            {
                RunInBackground(run.Id);
                continue;
            }

            var state = JournalState.Replay(await _store.ReadJournalAsync(run.Id, 0, cancellationToken).ConfigureAwait(false));
            foreach (var (key, waiting) in state.Waiting)
            {
                ArmTimer(run.Id, key, waiting.Wait!);
            }
        }

        return runs.Count;
    }

    /// <param name="journal">The run's journal when this process just wrote all of it (a run it created): not read back.</param>
    private async Task<RunRecord> ExecuteAsync(
        RunRecord record,
        IRunStore store,
        CancellationTokenSource cancel,
        CancellationToken lost,
        Action<Exception> leaseLost,
        CancellationToken callerToken,
        IReadOnlyList<JournalEvent>? journal = null)
    {
        var events = journal ?? await store.ReadJournalAsync(record.Id, 0, callerToken).ConfigureAwait(false);
        var state = JournalState.Replay(events);
        if (state.Ended)
        {
            // The process ended after journaling the end but before recording it: record it now.
            return await FinishAsync(record, store, state.Status, state.Message).ConfigureAwait(false);
        }

        var context = BuildContext(record, store, leaseLost);
        context.LoadStarted(events);
        if (state.CancelRequested)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        callerToken.ThrowIfCancellationRequested();
        // Running is written with the pass's first event, unless the run already is (created so, or resumed after a crash).
        RunStatus? toRunning = record.Status == RunStatus.Running ? null : RunStatus.Running;
        if (events.All(e => e.Type == JournalEventTypes.RunTriggered))
        {
            // A first pass: its start is committed with the first step's start (before anything acts).
            context.Journal.Defer(
                new JournalEvent
                {
                    Type = JournalEventTypes.RunStarted,
                    Inputs = record.Inputs,
                    Message = $"{record.WorkflowId} on {record.EnvironmentId ?? "no environment"}",
                },
                toRunning);
        }
        else
        {
            var resumed = new JournalEvent { Type = JournalEventTypes.RunResumed, Inputs = record.Inputs };
            await (toRunning is null ? context.Journal.AppendAsync(resumed) : context.Journal.AppendAsync(resumed, RunStatus.Running, null))
                .ConfigureAwait(false);
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, lost);
        var execution = new RunExecution(context, state, running.Token, lost);
        RunStatus status;
        string? message;
        try
        {
            (status, message) = await execution.ExecuteAsync().ConfigureAwait(false);
        }
        catch when (!lost.IsCancellationRequested)
        {
            // However the pass ended, what it deferred is committed, unless the run is no longer this process's to write.
            await context.Journal.FlushAsync().ConfigureAwait(false);
            throw;
        }

        lost.ThrowIfCancellationRequested();
        if (status == RunStatus.Waiting)
        {
            await context.Journal.FlushAsync().ConfigureAwait(false);
        }

        if (status == RunStatus.Cancelled)
        {
            var latest = JournalState.Replay(await store.ReadJournalAsync(record.Id, 0, CancellationToken.None).ConfigureAwait(false));
            message = latest.CancelledBy is { } by ? $"cancelled by {by}" : "cancelled";
        }

        message = message is null ? null : context.Masker.Apply(message);
        if (status == RunStatus.Waiting)
        {
            foreach (var (stepKey, wait) in context.Waiting)
            {
                ArmTimer(record.Id, stepKey, wait);
            }

            var waiting = await store.UpdateStatusAsync(record.Id, RunStatus.Waiting, message, CancellationToken.None).ConfigureAwait(false);

            // A signal journaled while this execution ran is not in its snapshot, and its sender saw
            // the run Running and left the wake-up to the execution: look once more, now that the
            // run is Waiting (a signal journaled after this look finds it Waiting and wakes it).
            return await SignalledSinceAsync(store, record.Id, events, callerToken).ConfigureAwait(false)
                ? await ExecuteAsync(waiting, store, cancel, lost, leaseLost, callerToken).ConfigureAwait(false)
                : waiting;
        }

        // The run's end, what its last step deferred, its final status and, when no concurrency key of it is left to
        // release (a fenced write, after the lease), the lease too: one commit.
        var finished = await context.Journal
            .AppendAsync(
                new JournalEvent
                {
                    Type = JournalEventTypes.RunFinished,
                    Status = status,
                    Message = message,
                    Outputs = execution.Outputs,
                },
                status,
                message,
                releaseLease: record.ConcurrencyKey is null)
            .ConfigureAwait(false);
        return await ReleaseKeyAsync(finished, store).ConfigureAwait(false);
    }

    private async Task<RunRecord> FinishAsync(RunRecord record, IRunStore store, RunStatus status, string? message) =>
        await ReleaseKeyAsync(await store.UpdateStatusAsync(record.Id, status, message, CancellationToken.None).ConfigureAwait(false), store)
            .ConfigureAwait(false);

    /// <summary>A finished run frees its concurrency key, and the next run queued for it starts.</summary>
    private async Task<RunRecord> ReleaseKeyAsync(RunRecord finished, IRunStore store)
    {
        if (finished.ConcurrencyKey is { } key)
        {
            await store.ReleaseKeyAsync(key, finished.Id, CancellationToken.None).ConfigureAwait(false);
            await PromoteQueuedAsync(key, CancellationToken.None).ConfigureAwait(false);
        }

        return finished;
    }

    private static async Task<bool> SignalledSinceAsync(
        IRunStore store,
        string runId,
        IReadOnlyList<JournalEvent> snapshot,
        CancellationToken cancellationToken)
    {
        var seen = snapshot.Count == 0 ? 0 : snapshot[^1].Sequence;
        var since = await store.ReadJournalAsync(runId, seen, cancellationToken).ConfigureAwait(false);
        return since.Any(e => e.Type == JournalEventTypes.SignalReceived);
    }

    private void ArmTimer(string runId, string key, WaitRequest wait)
    {
        // Keyed by the signal too: a step that asks again after an answer has a new timer for its new question.
        var timerKey = $"{runId}{key}#{wait.Signal}";
        if (!_options.ResumeInProcess || wait.ResumeAt is not { } at || _timers.ContainsKey(timerKey))
        {
            return;
        }

        var due = at - _time.GetUtcNow();
        _timers[timerKey] = _time.CreateTimer(
            _ =>
            {
                _timers.TryRemove(timerKey, out var timer);
                timer?.Dispose();
                RunInBackground(runId, () => SignalAsync(runId, wait.Signal, null, "timer", CancellationToken.None), created: null);
            },
            null,
            due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Timeout.InfiniteTimeSpan);
    }

    private RunContext BuildContext(RunRecord record, IRunStore store, Action<Exception> leaseLost)
    {
        var definitions = record.Definitions.ToDictionary(
            kv => kv.Key,
            kv => _definitions.Load(kv.Key, kv.Value),
            StringComparer.Ordinal);
        EnvironmentDefinition? environment = null;
        if (record.EnvironmentText is { } text)
        {
            environment = DocumentLoader.LoadEnvironment(text, record.EnvironmentPath ?? record.EnvironmentId ?? "environment").GetOrThrow();
            environment.SourcePath = record.EnvironmentPath ?? environment.SourcePath;
        }

        var secrets = SecretsFor(environment);
        _maskers.Executing(record.Id, secrets.Masker);
        return new RunContext
        {
            Record = record,
            Workflow = definitions[record.WorkflowId],
            Definitions = definitions,
            Environment = environment,
            Secrets = secrets,
            Registry = _registry,
            Services = _services,
            Options = _options,
            Time = _time,
            Journal = new JournalWriter(record, store, secrets.Masker, _time, _observers, ObserverFailed, leaseLost) { Logger = _logger },
            CallKeys = new CalledWorkflowKeys(record, store, _time, key => PromoteQueuedAsync(key, CancellationToken.None)),
        };
    }

    /// <summary>The run's secrets; literal and environment-variable ones are masked even before a step reads them.</summary>
    private static SecretStore SecretsFor(EnvironmentDefinition? environment)
    {
        var secrets = new SecretStore(environment, new SecretMasker());
        foreach (var (name, reference) in environment?.Secrets ?? [])
        {
            if (reference.Value is not null || (reference.Env is { } variable && Environment.GetEnvironmentVariable(variable) is not null))
            {
                secrets.Get(name);
            }
        }

        return secrets;
    }

    /// <summary>The masker for what is journaled about a run outside its execution (signal payloads, trigger details).</summary>
    private static SecretMasker MaskerFor(RunRecord record)
    {
        if (record.EnvironmentText is not { } text
            || DocumentLoader.LoadEnvironment(text, record.EnvironmentPath ?? record.EnvironmentId ?? "environment").Value is not { } environment)
        {
            return new SecretMasker();
        }

        environment.SourcePath = record.EnvironmentPath ?? environment.SourcePath;
        return SecretsFor(environment).Masker;
    }

    private static Dictionary<string, string> PinDefinitions(WorkflowDefinition root, IReadOnlyDictionary<string, WorkflowDefinition> library)
    {
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal) { [root.Id] = root.SourceText };
        var pending = new Queue<WorkflowDefinition>([root]);
        while (pending.TryDequeue(out var workflow))
        {
            foreach (var call in workflow.AllSteps().OfType<CallStep>())
            {
                // A call with version: N is pinned to that version (library key id@N) next to an unversioned call of the same id.
                var key = DefinitionLibrary.Key(call.Workflow, call.Version);
                if (pinned.ContainsKey(key))
                {
                    continue;
                }

                if (!library.TryGetValue(key, out var callee))
                {
                    throw new InvalidOperationException(
                        call.Version is { } version
                            ? $"{call.Location} {call.Path}: workflow.call of '{call.Workflow}' version {version}, which the run's definitions do "
                                + "not have (start the run from the definition store: DefinitionLibrary.FromStoreAsync)"
                            : $"{call.Location} {call.Path}: workflow.call of unknown workflow "
                                + $"'{call.Workflow}'{Diagnostics.Suggest.Hint(call.Workflow, library.Keys)}");
                }

                pinned[key] = callee.SourceText;
                pending.Enqueue(callee);
            }
        }

        return pinned;
    }

    private string? RenderConcurrencyKey(StartRunRequest request, IReadOnlyDictionary<string, object?> inputs, string runId)
    {
        if (request.Workflow.Concurrency is not { } concurrency)
        {
            return null;
        }

        var scope = new TemplateScope()
            .Set("inputs", inputs.ToDictionary(kv => kv.Key, kv => kv.Value))
            .Set("env", EnvironmentVariable.Of(request.Environment))
            .Set(
                "run",
                new Dictionary<string, object?>
                {
                    ["id"] = runId,
                    ["workflow"] = request.Workflow.Id,
                    ["environment"] = request.Environment?.Id,
                });
        var scalar = new Documents.DocScalar(concurrency.Key, Documents.ScalarKind.String, concurrency.Location);
        return Convert.ToString(TemplateRenderer.Evaluate(scalar, scope), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<RunRecord> GetAsync(string runId, CancellationToken cancellationToken) =>
        await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"no run with id '{runId}'");

    // The second it was made, for people, and 48 random bits, so that runs started in the same second (a burst of
    // HTTP starts or webhooks) do not collide: 24 bits did, about once per 130 s of 500 starts a second.
    private string NewRunId() => $"{_time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..12]}";

    private void CleanBackground()
    {
        foreach (var (key, task) in _background)
        {
            if (task.IsCompleted)
            {
                _background.TryRemove(key, out _);
            }
        }
    }
}
