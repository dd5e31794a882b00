using Microsoft.Extensions.DependencyInjection;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Every execution claims the run's lease first; a run leased by a live owner is not executed; a failed journal write stops the execution without cleanup.</summary>
public sealed class OneExecutionTests
{
    /// <summary>Two recording steps and an on_failure that records "cleanup".</summary>
    internal const string TwoSteps = """
        id: two
        steps:
          - id: first
            uses: test.record
            with: { name: first }
          - id: second
            uses: test.record
            with: { name: second }
        on_failure:
          - uses: test.record
            with: { name: cleanup }
        """;

    [Fact]
    public async Task Run_LeasedByALiveNode_ThrowsNamingTheNodeAndExecutesNothing()
    {
        var harness = new EngineHarness();
        var run = await harness.StartAsync(TwoSteps);
        await ((IRunLeaseStore)harness.Store).TryClaimRunAsync(run.Id, "node-x", TimeSpan.FromMinutes(1), CancellationToken.None);

        var held = await Assert.ThrowsAsync<RunHeldException>(() => harness.Engine.RunAsync(run.Id, CancellationToken.None));

        Assert.Equal("node-x", held.HolderNodeId);
        Assert.StartsWith($"run {run.Id} is executing on node node-x (its lease runs until ", held.Message);
        Assert.Empty(await harness.JournalAsync(run.Id));
        Assert.Empty(harness.Calls.Items);
    }

    [Fact]
    public async Task StartInBackground_TheRunIsLeasedFromItsCreation_NoOtherNodeClaimsItAndItFinishesHere()
    {
        var harness = new EngineHarness();

        var started = await harness.Engine.StartInBackgroundAsync(new StartRunRequest { Workflow = EngineHarness.Workflow(TwoSteps) }, CancellationToken.None);
        // Whether or not its execution has begun yet, the run is already this node's.
        var otherNode = await ((IRunLeaseStore)harness.Store).ClaimRunsAsync("node-b", TimeSpan.FromMinutes(1), 10, CancellationToken.None);
        await harness.Engine.WhenIdleAsync();

        Assert.Empty(otherNode);
        var stored = (await harness.Store.GetRunAsync(started.Id, CancellationToken.None))!;
        Assert.Equal((RunStatus.Succeeded, (string?)null), (stored.Status, stored.LeaseOwner));
        Assert.Equal(["first", "second"], harness.Calls.Items);
        // Generation 1 was the claim its creation made: the next claim is the second one.
        Assert.Equal(new RunLease(started.Id, "node-y", 2), await ((IRunLeaseStore)harness.Store).TryClaimRunAsync(started.Id, "node-y", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task StartInBackground_CancelledTheMomentItIsCreated_TheCancelReachesItsExecution()
    {
        var harness = new EngineHarness();
        var workflow = EngineHarness.Workflow("""
            id: long
            steps:
              - uses: test.slow
                with: { name: deploy, duration: 1h }
              - uses: test.record
                with: { name: never }
            """);

        // The run's journal is not read back before its first pass: the cancel must reach it through its registration here.
        var started = await harness.Engine.StartInBackgroundAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None);
        await harness.Engine.CancelAsync(started.Id, "tester", CancellationToken.None);
        await harness.Engine.WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(1));

        var stored = (await harness.Store.GetRunAsync(started.Id, CancellationToken.None))!;
        Assert.Equal((RunStatus.Cancelled, "cancelled by tester"), (stored.Status, stored.Message));
        Assert.DoesNotContain("never", harness.Calls.Items);
        Assert.DoesNotContain("slow end deploy", harness.Calls.Items);
    }

    [Fact]
    public async Task Run_ExecutesUnderItsOwnLeaseAndReleasesItWhenTheRunEnds()
    {
        var harness = new EngineHarness();
        var run = await harness.StartAsync(TwoSteps);

        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var stored = (await harness.Store.GetRunAsync(run.Id, CancellationToken.None))!;
        Assert.Null(stored.LeaseOwner);
        Assert.False(stored.IsOrphaned(DateTimeOffset.UtcNow));

        // Generation 1 was this execution's claim: the next claim is the second one.
        Assert.Equal(new RunLease(run.Id, "node-y", 2), await ((IRunLeaseStore)harness.Store).TryClaimRunAsync(run.Id, "node-y", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Run_JournalWriteFailsMidRun_StopsWithoutOnFailureAndLeavesTheRunRunning()
    {
        var harness = new EngineHarness();
        var store = new InMemoryRunStore();
        var unreachable = new CrashingRunStore(store, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "first");
        var engine = new WorkflowEngine(unreachable, harness.Services.GetRequiredService<Activities.ActivityRegistry>(), harness.Services, new EngineOptions { NodeId = "node-a" });
        var run = await engine.StartAsync(new StartRunRequest { Workflow = EngineHarness.Workflow(TwoSteps), Inputs = new Dictionary<string, object?>(), Library = new Dictionary<string, Model.WorkflowDefinition>() }, CancellationToken.None);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => engine.RunAsync(run.Id, CancellationToken.None));

        // No step failed, no on_failure (the usual lb.restore) ran: the next owner goes on from step first.
        Assert.Equal(["first"], harness.Calls.Items);
        var stored = (await store.GetRunAsync(run.Id, CancellationToken.None))!;
        Assert.Equal(RunStatus.Running, stored.Status);
        Assert.Equal([JournalEventTypes.RunStarted, JournalEventTypes.StepStarted], (await store.ReadJournalAsync(run.Id, 0, CancellationToken.None)).Select(e => e.Type));
    }
}
