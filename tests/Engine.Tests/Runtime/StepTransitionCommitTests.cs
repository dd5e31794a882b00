using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// A step's end and the next step's start are one commit, and a step that returned is committed
/// before the next step acts or the run stops.
/// </summary>
public sealed class StepTransitionCommitTests
{
    private readonly BatchRecordingStore _store = new(new InMemoryRunStore());
    private readonly WorkflowEngine _engine;

    public StepTransitionCommitTests()
    {
        var services = new ServiceCollection()
            .AddSingleton(new CallLog())
            .AddSingleton<IRunStore>(_store)
            .AddGantryEngine()
            .AddActivity<RecordActivity>()
            .AddActivity<CommittedEndsActivity>()
            .AddActivity<CancelOwnRunActivity>()
            .BuildServiceProvider();
        _engine = services.GetRequiredService<WorkflowEngine>();
    }

    [Fact]
    public async Task Run_StepsInSequence_CommitsEachStepsEndWithTheNextStepsStart()
    {
        var run = await RunAsync("""
            id: transitions
            steps:
              - uses: test.record
                with: { name: a }
              - uses: test.record
                if: "{{ false }}"
                with: { name: skipped }
              - uses: test.record
                with: { name: c }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        // The run's start and Running ride with the first step's start, the last step's end with the run's end and final status.
        Assert.Equal(
            [
                "claim",
                "run.started, step.started steps[0] + status running",
                "step.succeeded steps[0], step.skipped steps[1], step.started steps[2]",
                "step.succeeded steps[2], run.finished + status succeeded + release",
                "release",
            ],
            _store.Batches(run.Id));
        var journal = await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), journal.Select(e => e.Sequence));
    }

    [Fact]
    public async Task StartInBackground_OneStepRun_IsCreatedLeasedAndRunningThenWrittenInTwoCommits()
    {
        var request = new StartRunRequest
        {
            Workflow = EngineHarness.Workflow("id: one\nsteps:\n  - uses: test.record\n    with: { name: only }\n"),
            Trigger = "push",
            TriggerDetails = new Dictionary<string, object?> { ["ref"] = "refs/heads/develop" },
        };

        var started = await _engine.StartInBackgroundAsync(request, CancellationToken.None);
        await _engine.WhenIdleAsync();

        // Created Running (no concurrency key queues it): its first step's start writes no status.
        Assert.Equal(RunStatus.Running, started.Status);
        Assert.Equal(RunStatus.Succeeded, (await _store.GetRunAsync(started.Id, CancellationToken.None))!.Status);
        Assert.Equal(
            [
                "create claimed: run.triggered",
                "run.started, step.started steps[0]",
                "step.succeeded steps[0], run.finished + status succeeded + release",
                "release",
            ],
            _store.Batches(started.Id));
    }

    [Fact]
    public async Task Run_NextStepActs_TheStepBeforeItsEndIsAlreadyCommitted()
    {
        var run = await RunAsync("""
            id: durable
            steps:
              - { id: build, uses: test.record, with: { name: build } }
              - { id: check, uses: test.committed-ends }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var check = (await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None)).Single(e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[1]");
        Assert.Equal(new Dictionary<string, object?> { ["ended"] = "steps[0]" }, Assert.IsType<Dictionary<string, object?>>(check.Outputs));
    }

    [Fact]
    public async Task Run_CancelledRightAfterAStepReturned_StillCommitsThatStepsEnd()
    {
        var run = await RunAsync("""
            id: cancelled
            steps:
              - uses: test.cancel-own-run
              - uses: test.record
                with: { name: never }
            """);

        Assert.Equal(RunStatus.Cancelled, run.Status);
        var journal = await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[0]");
        Assert.DoesNotContain(journal, e => e.Path == "steps[1]");
    }

    private async Task<RunRecord> RunAsync(string yaml)
    {
        var started = await _engine.StartAsync(new StartRunRequest { Workflow = EngineHarness.Workflow(yaml) }, CancellationToken.None);
        return await _engine.RunAsync(started.Id, CancellationToken.None);
    }
}

/// <summary>Outputs the paths of the steps whose end is committed when it runs (read from the store, not the engine).</summary>
[Activity("test.committed-ends", Description = "Reads which step ends are committed.")]
internal sealed class CommittedEndsActivity(IRunStore store) : Activity<NoInputs, CommittedEndsActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken)
    {
        var journal = await store.ReadJournalAsync(context.RunId, 0, cancellationToken);
        return new Outputs { Ended = string.Join(", ", journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).Select(e => e.Path)) };
    }

    public sealed class Outputs
    {
        public string Ended { get; set; } = "";
    }
}

/// <summary>Asks the engine to cancel the run it belongs to, then returns successfully.</summary>
[Activity("test.cancel-own-run", Description = "Cancels its own run and succeeds.")]
internal sealed class CancelOwnRunActivity : Activity<NoInputs, NoOutputs>
{
    protected override async Task<NoOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken)
    {
        await context.Services.GetRequiredService<WorkflowEngine>().CancelAsync(context.RunId, "test", CancellationToken.None);
        return new NoOutputs();
    }
}

/// <summary>The in-memory store, recording the events of each append call (one commit each in a durable store).</summary>
internal sealed class BatchRecordingStore(InMemoryRunStore inner) : AppendRecordingView(inner, new()), IRunLeaseStore
{
    public IReadOnlyList<string> Batches(string runId) => Recorded.Where(b => b.RunId == runId).Select(b => b.Events).ToList();

    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken) => inner.ClaimRunsAsync(nodeId, lease, max, cancellationToken);

    public Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken)
    {
        Recorded.Enqueue((runId, "claim"));
        return inner.TryClaimRunAsync(runId, nodeId, lease, cancellationToken);
    }

    /// <summary>One write in a durable store (the in-memory one creates, then claims, under its own lock).</summary>
    public Task<(IReadOnlyList<JournalEvent> Events, RunLease Lease)> CreateClaimedRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        string nodeId,
        TimeSpan lease,
        CancellationToken cancellationToken)
    {
        Recorded.Enqueue((run.Id, $"create claimed: {Describe(firstEvents)}"));
        return ((IRunLeaseStore)inner).CreateClaimedRunAsync(run, firstEvents, nodeId, lease, cancellationToken);
    }

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken) => inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken)
    {
        Recorded.Enqueue((lease.RunId, "release"));
        return inner.ReleaseLeaseAsync(lease, cancellationToken);
    }

    /// <summary>The inner store's fenced view, recording into the same list.</summary>
    public IRunStore Fenced(RunLease lease) => new AppendRecordingView(inner.Fenced(lease), Recorded);
}

/// <summary>A run store that records each append call's events ("type path, ...") before passing it on.</summary>
internal class AppendRecordingView(IRunStore inner, ConcurrentQueue<(string RunId, string Events)> recorded) : IRunStore
{
    protected ConcurrentQueue<(string RunId, string Events)> Recorded => recorded;

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => inner.CreateRunAsync(run, cancellationToken);

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

    public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken)
    {
        recorded.Enqueue((runId, $"status {StatusName(status)}"));
        return inner.UpdateStatusAsync(runId, status, message, cancellationToken);
    }

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) => inner.UpdatePendingAsync(runId, status, message, cancellationToken);

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        recorded.Enqueue((runId, Describe(events)));
        return inner.AppendAsync(runId, events, cancellationToken);
    }

    /// <summary>One write in a durable store: recorded as one entry, events and status.</summary>
    public Task<(IReadOnlyList<JournalEvent> Events, RunRecord Run)> AppendWithStatusAsync(
        string runId,
        IReadOnlyList<JournalEvent> events,
        RunStatus status,
        string? message,
        bool releaseLease,
        CancellationToken cancellationToken)
    {
        recorded.Enqueue((runId, $"{Describe(events)} + status {StatusName(status)}{(releaseLease ? " + release" : "")}"));
        return inner.AppendWithStatusAsync(runId, events, status, message, releaseLease, cancellationToken);
    }

    protected static string Describe(IReadOnlyList<JournalEvent> events) =>
        string.Join(", ", events.Select(e => e.Path is null ? e.Type : $"{e.Type} {e.Path}"));

    private static string StatusName(RunStatus status) => status.ToString().ToLowerInvariant();

    public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken) => inner.ReadJournalAsync(runId, afterSequence, cancellationToken);

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) => inner.TryAcquireKeyAsync(key, runId, cancellationToken);

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) => inner.ReleaseKeyAsync(key, runId, cancellationToken);
}
