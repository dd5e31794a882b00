using System.Runtime.CompilerServices;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Backoff and delays on the engine's clock, and recovery of a run whose process died.</summary>
public sealed class DurabilityTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retry_ExponentialBackoff_WaitsOneTwoThenFourSecondsOnTheEngineClock()
    {
        var clock = new ObservedClock(T0);
        var harness = new EngineHarness(clock);
        var started = await harness.StartAsync("""
            id: backoff
            steps:
              - uses: test.flaky
                retry: { attempts: 4, delay: 1s, backoff: exponential }
                with: { failures: 3 }
            """);

        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        foreach (var seconds in new[] { 1, 2, 4 })
        {
            Assert.True(await clock.NextTimerAsync(), $"no retry delay was armed before the {seconds}s wait");
            Assert.False(running.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(seconds));
        }

        var run = await running;

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(3), T0.AddSeconds(7)], harness.Calls.AttemptTimes);
        var retries = (await harness.JournalAsync(run.Id)).Where(e => e.Type == JournalEventTypes.StepRetrying).Select(e => e.Message).ToList();
        Assert.Equal(
            [
                "attempt 1 of 4 failed: boom 1; retrying in 1s",
                "attempt 2 of 4 failed: boom 2; retrying in 2s",
                "attempt 3 of 4 failed: boom 3; retrying in 4s",
            ],
            retries);
    }

    [Fact]
    public async Task Retry_AttemptsExhausted_FailsAfterTheLastAttempt()
    {
        var clock = new ObservedClock(T0);
        var harness = new EngineHarness(clock);
        var started = await harness.StartAsync("""
            id: exhausted
            steps:
              - id: flaky
                uses: test.flaky
                retry: { attempts: 3, delay: 10s, backoff: constant }
                with: { failures: 5 }
            """);

        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await clock.NextTimerAsync());
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        var run = await running;

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step flaky (steps[0]) failed: boom 3", run.Message);
        Assert.Equal([T0, T0.AddSeconds(10), T0.AddSeconds(20)], harness.Calls.AttemptTimes);
        var failed = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepFailed);
        Assert.Equal(3, failed.Attempt);
    }

    [Fact]
    public async Task WaitDelay_FiveMinutes_ResumesOnlyOnceTheClockPassesIt()
    {
        var clock = new ObservedClock(T0);
        var harness = new EngineHarness(clock);
        var waiting = await harness.RunAsync("""
            id: nap
            steps:
              - uses: test.record
                with: { name: before }
              - id: nap
                uses: wait
                with: { delay: 5m }
              - uses: test.record
                with: { name: "after {{ steps.nap.outputs.signal }} from {{ steps.nap.outputs.sent_by }}" }
            """);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal("a delay of 5m (signal 'timer:steps[1]')", waiting.Message);
        Assert.True(await clock.NextTimerAsync());

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await harness.Engine.WhenIdleAsync();
        Assert.Equal(RunStatus.Waiting, (await harness.Store.GetRunAsync(waiting.Id, default))!.Status);
        Assert.Equal(["before"], harness.Calls.Items);

        clock.Advance(TimeSpan.FromSeconds(1));
        await harness.Engine.WhenIdleAsync();

        var done = (await harness.Store.GetRunAsync(waiting.Id, default))!;
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["before", "after timer:steps[1] from timer"], harness.Calls.Items);
    }

    [Fact]
    public async Task Crash_AtAStepTransition_FreshEngineReRunsOnlyTheStepWhoseEndWasNotCommitted()
    {
        // A step's end is committed together with the next step's start (one commit per transition), so a
        // crash at that commit loses both, as a crash while committing the end alone did before.
        var harness = new EngineHarness();
        var store = new InMemoryRunStore();
        var crashing = new CrashingRunStore(store, e => e.Type == JournalEventTypes.StepStarted && e.Path == "steps[2]");
        var registry = harness.Services.GetRequiredService<ActivityRegistry>();
        var first = new WorkflowEngine(crashing, registry, harness.Services);
        var run = await first.StartAsync(new StartRunRequest
        {
            Workflow = EngineHarness.Workflow("""
                id: crashy
                steps:
                  - id: a
                    uses: test.record
                    with: { name: a }
                  - id: b
                    uses: test.record
                    with: { name: "b after {{ steps.a.outputs.value }}" }
                  - id: c
                    uses: test.record
                    with: { name: "c after {{ steps.b.outputs.value }}" }
                """),
            Inputs = new Dictionary<string, object?>(),
            Library = new Dictionary<string, Model.WorkflowDefinition>(),
        }, CancellationToken.None);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => first.RunAsync(run.Id, CancellationToken.None));
        Assert.Equal(RunStatus.Running, (await store.GetRunAsync(run.Id, default))!.Status);
        Assert.Equal(["a", "b after A"], harness.Calls.Items);

        var second = new WorkflowEngine(store, registry, harness.Services);
        Assert.Equal(1, await second.RecoverAsync(CancellationToken.None));
        await second.WhenIdleAsync();

        var finished = (await store.GetRunAsync(run.Id, default))!;
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["a", "b after A", "b after A", "c after B AFTER A"], harness.Calls.Items);
        var journal = await store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(
            ["run.started", "step.started steps[0]", "step.succeeded steps[0]", "step.started steps[1]",
             "run.resumed", "step.succeeded steps[1]", "step.started steps[2]", "step.succeeded steps[2]", "run.finished"],
            journal.Select(e => e.Path is null ? e.Type : $"{e.Type} {e.Path}"));
    }

    [Fact]
    public async Task Crash_DuringAStep_ReRunsOnlyTheStepThatWasInFlight()
    {
        var harness = new EngineHarness();
        var store = new InMemoryRunStore();
        var crashing = new CrashingRunStore(store, e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[1]");
        var registry = harness.Services.GetRequiredService<ActivityRegistry>();
        var first = new WorkflowEngine(crashing, registry, harness.Services);
        var run = await first.StartAsync(new StartRunRequest
        {
            Workflow = EngineHarness.Workflow("""
                id: inflight
                steps:
                  - uses: test.record
                    with: { name: a }
                  - uses: test.record
                    with: { name: b }
                """),
            Inputs = new Dictionary<string, object?>(),
            Library = new Dictionary<string, Model.WorkflowDefinition>(),
        }, CancellationToken.None);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => first.RunAsync(run.Id, CancellationToken.None));
        var finished = await new WorkflowEngine(store, registry, harness.Services).RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["a", "b", "b"], harness.Calls.Items);
        var journal = await store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepStarted && e.Path == "steps[1]"));
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[1]"));
    }
}

/// <summary>The process died: raised by <see cref="CrashingRunStore"/>, never handled by the engine.</summary>
internal sealed class SimulatedCrashException() : Exception("simulated crash");

/// <summary>
/// A store that works until an event matching <paramref name="crashAt"/> is appended, then refuses
/// every write, as a dead process would; what was committed before stays in the inner store.
/// </summary>
internal sealed class CrashingRunStore(IRunStore inner, Func<JournalEvent, bool> crashAt) : IRunStore, IRunLeaseStore
{
    private readonly StrongBox<bool> _dead = new();

    /// <summary>A fenced view that dies with the store it was made from.</summary>
    private CrashingRunStore(IRunStore inner, Func<JournalEvent, bool> crashAt, StrongBox<bool> dead)
        : this(inner, crashAt)
    {
        _dead = dead;
    }

    private IRunLeaseStore Leases => (IRunLeaseStore)inner;

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => Alive(() => inner.CreateRunAsync(run, cancellationToken));

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

    public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        Alive(() => inner.UpdateStatusAsync(runId, status, message, cancellationToken));

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        Alive(() => inner.UpdatePendingAsync(runId, status, message, cancellationToken));

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        if (events.Any(crashAt))
        {
            _dead.Value = true;
        }

        return Alive(() => inner.AppendAsync(runId, events, cancellationToken));
    }

    public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken) => inner.ReadJournalAsync(runId, afterSequence, cancellationToken);

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) => Alive(() => inner.TryAcquireKeyAsync(key, runId, cancellationToken));

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) => Alive(() => inner.ReleaseKeyAsync(key, runId, cancellationToken));

    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken) => Alive(() => Leases.ClaimRunsAsync(nodeId, lease, max, cancellationToken));

    public Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken) => Alive(() => Leases.TryClaimRunAsync(runId, nodeId, lease, cancellationToken));

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken) => Alive(() => Leases.RenewLeaseAsync(lease, duration, cancellationToken));

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken) => Alive(() => Leases.ReleaseLeaseAsync(lease, cancellationToken));

    public IRunStore Fenced(RunLease lease) => new CrashingRunStore(Leases.Fenced(lease), crashAt, _dead);

    private Task<T> Alive<T>(Func<Task<T>> write) => _dead.Value ? throw new SimulatedCrashException() : write();

    private Task Alive(Func<Task> write) => _dead.Value ? throw new SimulatedCrashException() : write();
}
