using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// Two nodes on one durable store, each with its own store object and clock: node A stalls inside
/// a step past its lease, node B takes the run over and finishes it, and A is fenced off. Node B's
/// clock runs a lease ahead of A's, so B sees A's lease expired without anything racing a clock.
/// </summary>
public abstract class RunWorkerFencingTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private const string Workflow = """
        id: fenced
        concurrency: prod
        steps:
          - id: work
            uses: test.gated
          - id: after
            uses: test.record
            with: { name: after }
        on_failure:
          - uses: test.record
            with: { name: cleanup }
        """;

    private readonly ActivityGate _gate = new();
    private readonly CallLog _calls = new();
    private readonly ServiceProvider _services;

    protected RunWorkerFencingTests()
    {
        _services = new ServiceCollection()
            .AddSingleton(_gate)
            .AddSingleton(_calls)
            .AddSingleton(TimeProvider.System)
            .AddGantryEngine()
            .AddActivity<GatedActivity>()
            .AddActivity<RecordActivity>()
            .BuildServiceProvider();
    }

    /// <summary>Another store object on the test database, on <paramref name="time"/>, as another node would open it.</summary>
    protected abstract Task<IRunStore> OpenStoreAsync(TimeProvider time);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Heartbeat_LeaseTakenOverMidStep_StaleNodeStopsWithoutCleanupAndTheNewHolderFinishesOnce()
    {
        var (nodeA, nodeB, run) = await NodeAInTheFirstStepAsync();
        var takeover = Assert.Single(await ((IRunLeaseStore)nodeB.Store).ClaimRunsAsync("node-b", Lease, 10, CancellationToken.None)).Lease;

        nodeA.Time.Advance(Lease / 3);
        await nodeA.Worker.WhenIdleAsync();

        Assert.True(_gate.FirstCancelled.Task.IsCompleted);
        Assert.Equal(
            [$"claimed run {run.Id} (fenced, pending)", $"node node-a stopped executing run {run.Id}: run {run.Id} is no longer leased to node node-a (lease generation 1): node node-b holds it now"],
            nodeA.Log);
        Assert.Equal(
            [JournalEventTypes.RunStarted, JournalEventTypes.StepStarted],
            (await nodeB.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None)).Select(e => e.Type));
        Assert.Equal(RunStatus.Running, (await nodeB.Store.GetRunAsync(run.Id, CancellationToken.None))!.Status);
        Assert.Equal(run.Id, await nodeB.Store.TryAcquireKeyAsync("prod", "another-run", CancellationToken.None));

        var finished = await nodeB.Engine.RunLeasedAsync(takeover, Lease, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        await AssertFinishedOnceByNodeBAsync(nodeB, run);
    }

    [Fact]
    public async Task PollOnce_NewHolderFinishesWhileTheStaleNodeIsStuckInTheStep_StaleNodeStopsAtItsNextHeartbeat()
    {
        var (nodeA, nodeB, run) = await NodeAInTheFirstStepAsync();

        Assert.Equal(1, await nodeB.Worker.PollOnceAsync(CancellationToken.None));
        await nodeB.Worker.WhenIdleAsync();
        nodeA.Time.Advance(Lease / 3);
        await nodeA.Worker.WhenIdleAsync();

        Assert.True(_gate.FirstCancelled.Task.IsCompleted);
        await AssertFinishedOnceByNodeBAsync(nodeA, run);
        Assert.Equal([$"claimed run {run.Id} (fenced, running)", $"run {run.Id} succeeded"], nodeB.Log);
        Assert.Equal($"node node-a stopped executing run {run.Id}: run {run.Id} is no longer leased to node node-a (lease generation 1): it was released or taken over", nodeA.Log.Last());
    }

    [Fact]
    public async Task Append_LeaseTakenOverBeforeTheStepEnded_IsRejectedAndTheStaleNodeStops()
    {
        var (nodeA, nodeB, run) = await NodeAInTheFirstStepAsync();

        Assert.Equal(1, await nodeB.Worker.PollOnceAsync(CancellationToken.None));
        await nodeB.Worker.WhenIdleAsync();
        _gate.FirstMayEnd.SetResult();
        await nodeA.Worker.WhenIdleAsync();

        Assert.False(_gate.FirstCancelled.Task.IsCompleted);
        await AssertFinishedOnceByNodeBAsync(nodeA, run);
        Assert.Equal(
            [
                $"claimed run {run.Id} (fenced, pending)",
                $"node node-a stopped executing run {run.Id}: run {run.Id} is no longer leased to node node-a (lease generation 1): nobody holds it now (generation 2)",
            ],
            nodeA.Log);
    }

    [Fact]
    public async Task ExecuteLeased_NobodyElseClaims_RunsUnderItsLeaseAndReleasesIt()
    {
        var nodeA = await NodeAsync("node-a", Start);
        var run = await StartRunAsync(nodeA);
        _gate.FirstMayEnd.SetResult();

        var finished = await nodeA.Worker.ExecuteLeasedAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished!.Status);
        Assert.Equal(new RunLease(run.Id, "node-b", 2), await ((IRunLeaseStore)nodeA.Store).TryClaimRunAsync(run.Id, "node-b", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task RunLoop_LeaseExpiresBetweenTwoPolls_TheFirstPollAfterTheExpiryClaimsTheRun()
    {
        var nodeA = await NodeAsync("node-a", Start);
        var run = await StartRunAsync(nodeA);
        Assert.Equal(1, await nodeA.Worker.PollOnceAsync(CancellationToken.None));
        await _gate.FirstStarted.Task;

        // Node C polls every second, its clock half a poll before node A's lease expires (A is stuck in its step).
        var poll = TimeSpan.FromSeconds(1);
        var time = new TimerCountingTimeProvider(Start + Lease - poll / 2);
        var store = await OpenStoreAsync(time);
        var engine = new WorkflowEngine(store, _services.GetRequiredService<ActivityRegistry>(), _services, new EngineOptions { ResumeInProcess = false, NodeId = "node-c" }, time);
        var claims = new ClaimRecordingLeases((IRunLeaseStore)store, time);
        var worker = new RunWorker(engine, claims, new RunWorkerOptions { NodeId = "node-c", Lease = Lease, PollInterval = poll }, time);
        using var stop = new CancellationTokenSource();
        var loop = worker.RunAsync(stop.Token);

        // The first poll finds the lease valid; once the loop waits for its next poll, half a poll after the expiry comes.
        await time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([(Start + Lease - poll / 2, 0)], claims.Polls);
        time.Advance(poll);
        await claims.Claimed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([(Start + Lease - poll / 2, 0), (Start + Lease + poll / 2, 1)], claims.Polls);
        await stop.CancelAsync();
        await loop;
        _gate.FirstMayEnd.SetResult();
        await nodeA.Worker.WhenIdleAsync();
        await AssertFinishedOnceByNodeBAsync(nodeA, run);
    }

    private async Task AssertFinishedOnceByNodeBAsync(Node node, RunRecord run)
    {
        var journal = await node.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(
            [
                (JournalEventTypes.RunStarted, null),
                (JournalEventTypes.StepStarted, "work"),
                (JournalEventTypes.RunResumed, null),
                (JournalEventTypes.StepSucceeded, "work"),
                (JournalEventTypes.StepStarted, "after"),
                (JournalEventTypes.StepSucceeded, "after"),
                (JournalEventTypes.RunFinished, null),
            ],
            journal.Select(e => (e.Type, e.StepId)));
        Assert.Equal(RunStatus.Succeeded, journal[^1].Status);
        Assert.Equal(RunStatus.Succeeded, (await node.Store.GetRunAsync(run.Id, CancellationToken.None))!.Status);
        Assert.Equal(2, _gate.Calls);
        Assert.Equal(["after"], _calls.Items);
        Assert.Null(await node.Store.TryAcquireKeyAsync("prod", "another-run", CancellationToken.None));
    }

    /// <summary>Node A has claimed a new run and is inside its first step; node B's clock is one lease later.</summary>
    private async Task<(Node A, Node B, RunRecord Run)> NodeAInTheFirstStepAsync()
    {
        var (nodeA, nodeB) = (await NodeAsync("node-a", Start), await NodeAsync("node-b", Start + Lease));
        var run = await StartRunAsync(nodeA);
        Assert.Equal(1, await nodeA.Worker.PollOnceAsync(CancellationToken.None));
        await _gate.FirstStarted.Task;
        return (nodeA, nodeB, run);
    }

    private async Task<RunRecord> StartRunAsync(Node node) =>
        await node.Engine.StartAsync(
            new StartRunRequest { Workflow = EngineHarness.Workflow(Workflow), Inputs = new Dictionary<string, object?>(), Library = new Dictionary<string, Model.WorkflowDefinition>() },
            CancellationToken.None);

    private async Task<Node> NodeAsync(string name, DateTimeOffset now)
    {
        var time = new FakeTimeProvider(now);
        var store = await OpenStoreAsync(time);
        var engine = new WorkflowEngine(store, _services.GetRequiredService<ActivityRegistry>(), _services, new EngineOptions { ResumeInProcess = false, NodeId = name }, time);
        var log = new ConcurrentQueue<string>();
        var worker = new RunWorker(engine, (IRunLeaseStore)store, new RunWorkerOptions { NodeId = name, Lease = Lease }, time) { Log = log.Enqueue };
        return new Node(time, store, engine, worker, log);
    }

    private sealed record Node(FakeTimeProvider Time, IRunStore Store, WorkflowEngine Engine, RunWorker Worker, ConcurrentQueue<string> Log);
}

/// <summary>Lets the test hold the first call of test.gated inside its step; later calls pass at once.</summary>
internal sealed class ActivityGate
{
    public int Calls;

    public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource FirstMayEnd { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource FirstCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

[Activity("test.gated", Description = "Its first call waits for the test's gate; later calls pass.")]
internal sealed class GatedActivity(ActivityGate gate) : Activity<NoInputs, NoOutputs>
{
    protected override async Task<NoOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref gate.Calls) == 1)
        {
            gate.FirstStarted.SetResult();
            try
            {
                await gate.FirstMayEnd.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                gate.FirstCancelled.SetResult();
                throw;
            }
        }

        return new NoOutputs();
    }
}
