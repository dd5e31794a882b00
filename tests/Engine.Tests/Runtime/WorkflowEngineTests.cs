using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

public sealed class WorkflowEngineTests
{
    [Fact]
    public async Task Run_SequentialSteps_RunInOrderAndOutputsFlow()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: flow
            inputs:
              who: { type: string, default: world }
            steps:
              - id: first
                uses: test.record
                with: { name: "{{ inputs.who }}" }
              - id: second
                uses: test.record
                with: { name: "after-{{ steps.first.outputs.value }}" }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["world", "after-WORLD"], harness.Calls.Items);
    }

    [Fact]
    public async Task Run_IfFalse_SkipsStepAndJournalsWhy()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: cond
            inputs:
              go: { type: boolean, default: false }
            steps:
              - uses: test.record
                if: "{{ inputs.go }}"
                with: { name: skipped }
              - uses: test.record
                with: { name: ran }
            """);

        Assert.Equal(["ran"], harness.Calls.Items);
        var journal = await harness.JournalAsync(run.Id);
        var skipped = Assert.Single(journal, e => e.Type == JournalEventTypes.StepSkipped);
        Assert.Equal("steps[0]", skipped.Path);
        Assert.Equal("condition is false: {{ inputs.go }}", skipped.Message);
    }

    [Fact]
    public async Task Run_GroupFailure_RunsOnFailureThenFinallyAndFailsRun()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: grp
            steps:
              - id: block
                group:
                  - uses: test.record
                    with: { name: a }
                  - uses: fail
                    with: { message: broken }
                  - uses: test.record
                    with: { name: never }
                on_failure:
                  - uses: test.record
                    with: { name: "handler {{ error.message }}" }
                finally:
                  - uses: test.record
                    with: { name: cleanup }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(["a", "handler broken", "cleanup"], harness.Calls.Items);
        Assert.Equal("step fail (steps[0].group[1]) failed: broken", run.Message);
    }

    [Fact]
    public async Task Run_ContinueOnError_GoesOnAndRecordsFailedStatus()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: coe
            steps:
              - id: bad
                uses: fail
                continue_on_error: true
                with: { message: ignored }
              - uses: test.record
                with: { name: "status {{ steps.bad.status }}" }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["status failed"], harness.Calls.Items);
    }

    [Fact]
    public async Task Run_WorkflowOnFailure_RunsAfterFailure()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: wof
            steps:
              - uses: fail
                with: { message: nope }
            on_failure:
              - uses: test.record
                with: { name: restore }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(["restore"], harness.Calls.Items);
    }

    [Fact]
    public async Task Run_Foreach_RunsEachItemWithinMaxParallelAndCollectsResults()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: loop
            steps:
              - id: each
                foreach: [a, b, c, d, e, f]
                as: name
                max_parallel: 2
                steps:
                  - id: s
                    uses: test.slow
                    with: { name: "{{ name }}", duration: 30ms }
              - uses: test.record
                with: { name: "count {{ steps.each.outputs.count }}" }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, harness.Calls.MaxConcurrent);
        Assert.Equal(6, harness.Calls.Items.Count(i => i.StartsWith("slow end", StringComparison.Ordinal)));
        Assert.Equal("count 6", harness.Calls.Items[^1]);
    }

    [Fact]
    public async Task Run_ForeachMaxParallelOne_RunsItemsInListOrder()
    {
        // 40 items: before items were started in list order, each raced for the gate on its own
        // thread-pool task and a few always overtook each other.
        var names = Enumerable.Range(1, 40).Select(i => $"web{i}").ToList();
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: ordered
            steps:
              - id: each
                foreach: [NAMES]
                as: name
                max_parallel: 1
                steps:
                  - uses: test.record
                    with: { name: "{{ name }}" }
            """.Replace("NAMES", string.Join(", ", names), StringComparison.Ordinal));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(names, harness.Calls.Items);
    }

    [Fact]
    public async Task Run_Parallel_RunsBranchesConcurrently()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: par
            steps:
              - parallel:
                  - uses: test.slow
                    with: { name: x, duration: 100ms }
                  - uses: test.slow
                    with: { name: y, duration: 100ms }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, harness.Calls.MaxConcurrent);
    }

    [Fact]
    public async Task Run_WorkflowCall_PassesInputsAndReturnsOutputs()
    {
        var harness = new EngineHarness();
        var library = new Dictionary<string, Model.WorkflowDefinition>
        {
            ["child"] = EngineHarness.Workflow("""
                id: child
                inputs:
                  name: { type: string, required: true }
                steps:
                  - id: inner
                    uses: test.record
                    with: { name: "child {{ inputs.name }}" }
                outputs:
                  shout: "{{ steps.inner.outputs.value }}"
                """),
        };
        var run = await harness.RunAsync("""
            id: parent
            steps:
              - id: call
                uses: workflow.call
                with: { workflow: child, inputs: { name: bob } }
              - uses: test.record
                with: { name: "got {{ steps.call.outputs.shout }}" }
            """, library: library);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["child bob", "got CHILD BOB"], harness.Calls.Items);
        Assert.Equal(["child", "parent"], run.Definitions.Keys.Order());
    }

    [Fact]
    public async Task Run_WorkflowCall_JournalsTheCalleesOutputsAndResumesFromThemAfterAWait()
    {
        var harness = new EngineHarness();
        var library = new Dictionary<string, Model.WorkflowDefinition>
        {
            ["child"] = EngineHarness.Workflow("""
                id: child
                steps:
                  - id: inner
                    uses: test.record
                    with: { name: child }
                outputs:
                  shout: "{{ steps.inner.outputs.value }}"
                  count: "{{ 40 + 2 }}"
                """),
        };
        var waiting = await harness.RunAsync("""
            id: parent
            steps:
              - id: call
                uses: workflow.call
                with: { workflow: child }
              - id: gate
                uses: wait
                with: { signal: go }
              - uses: test.record
                with: { name: "got {{ steps.call.outputs.shout }} {{ steps.call.outputs.count }}" }
            """, library: library);
        Assert.Equal(RunStatus.Waiting, waiting.Status);

        await harness.Engine.SignalAsync(waiting.Id, "go", null, "tester", CancellationToken.None);
        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["child", "got CHILD 42"], harness.Calls.Items);
        var succeeded = (await harness.JournalAsync(done.Id)).Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[0]").ToList();
        var call = Assert.Single(succeeded);
        Assert.Equal("workflow.call:child", call.Activity);
        var outputs = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(call.Outputs);
        Assert.Equal(["count=42", "shout=CHILD"], outputs.Select(o => $"{o.Key}={o.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Signal_WaitingRun_ResumesWithPayloadAndHoldsNoExecution()
    {
        var harness = new EngineHarness();
        var yaml = """
            id: waiter
            steps:
              - uses: test.record
                with: { name: before }
              - id: gate
                uses: wait
                with: { signal: go }
              - uses: test.record
                with: { name: "after {{ steps.gate.outputs.payload.who }}" }
            """;
        var waiting = await harness.RunAsync(yaml);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal("signal 'go' (signal 'go')", waiting.Message);

        await harness.Engine.SignalAsync(waiting.Id, "go", new Dictionary<string, object?> { ["who"] = "alice" }, "tester", CancellationToken.None);
        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["before", "after alice"], harness.Calls.Items);
        var journal = await harness.JournalAsync(done.Id);
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded && e.Path == "steps[0]"));
    }

    [Fact]
    public async Task Signals_WaitingStep_SeesEverySignalItReceivedSoFar()
    {
        var harness = new EngineHarness();
        var waiting = await harness.RunAsync("""
            id: collector
            steps:
              - id: parts
                uses: test.collect
                with: { count: 2 }
            """);

        await harness.Engine.SignalAsync(waiting.Id, "part", "a", "tester", CancellationToken.None);
        var stillWaiting = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);
        await harness.Engine.SignalAsync(waiting.Id, "part", "b", "tester", CancellationToken.None);
        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, stillWaiting.Status);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["collect saw a", "collect saw a", "collect saw a,b"], harness.Calls.Items);
    }

    [Fact]
    public async Task Signals_ArrivingWhileTheRunExecutes_WakeItAgain()
    {
        var harness = new EngineHarness();
        var waiting = await harness.RunAsync("""
            id: collector
            steps:
              - id: parts
                uses: test.collect
                with: { count: 2, signal_while_resuming: b }
            """);

        await harness.Engine.SignalAsync(waiting.Id, "part", "a", "tester", CancellationToken.None);
        harness.Engine.RunInBackground(waiting.Id);
        await harness.Engine.WhenIdleAsync();

        Assert.Equal(RunStatus.Succeeded, (await harness.Store.GetRunAsync(waiting.Id, CancellationToken.None))!.Status);
        Assert.Equal(["collect saw a", "sent b", "collect saw a", "collect saw a,b"], harness.Calls.Items);
    }

    [Fact]
    public async Task Signals_ArrivingWhileTheRunExecutes_AreSeenBeforeItWaitsAgain()
    {
        // The sender finds the run Running and leaves it alone; no wake-up is queued anywhere, so
        // only the execution's own look at the journal before it waits again can continue the run.
        var harness = new EngineHarness();
        var waiting = await harness.RunAsync("""
            id: collector
            steps:
              - id: parts
                uses: test.collect
                with: { count: 2, signal_while_resuming: b, sender_schedules: false }
            """);

        await harness.Engine.SignalAsync(waiting.Id, "part", "a", "tester", CancellationToken.None);
        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["collect saw a", "sent b", "collect saw a", "collect saw a,b"], harness.Calls.Items);
        Assert.Equal(2, (await harness.Store.ReadJournalAsync(waiting.Id, 0, CancellationToken.None)).Count(e => e.Type == JournalEventTypes.RunResumed));
    }

    [Fact]
    public async Task Retry_FailsTwiceThenSucceeds_JournalsRetriesWithBackoff()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: retry
            steps:
              - uses: test.flaky
                retry: { attempts: 3, delay: 1ms, backoff: constant }
                with: { failures: 2 }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["flaky attempt 1", "flaky attempt 2", "flaky attempt 3"], harness.Calls.Items);
        var retries = (await harness.JournalAsync(run.Id)).Where(e => e.Type == JournalEventTypes.StepRetrying).Select(e => e.Message).ToList();
        Assert.Equal(["attempt 1 of 3 failed: boom 1; retrying in 1ms", "attempt 2 of 3 failed: boom 2; retrying in 1ms"], retries);
    }

    [Fact]
    public async Task Timeout_SlowStep_IsCancelledAndFailsNamingTheTimeout()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: slow
            steps:
              - id: sleepy
                uses: test.slow
                timeout: 50ms
                with: { name: z, duration: 10s }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step sleepy (steps[0]) failed: step sleepy timed out after 50ms and was cancelled", run.Message);
        Assert.Equal(["slow start z", "slow cancelled z"], harness.Calls.Items);
    }

    [Fact]
    public async Task Cancel_RunningRun_RunsFinallyAndOnFailure()
    {
        var harness = new EngineHarness();
        var started = await harness.StartAsync("""
            id: cancel
            steps:
              - group:
                  - uses: test.slow
                    with: { name: long, duration: 30s }
                finally:
                  - uses: test.record
                    with: { name: finally }
            on_failure:
              - uses: test.record
                with: { name: on_failure }
            """);
        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Calls.Items.Contains("slow start long"), "the slow step starts");

        await harness.Engine.CancelAsync(started.Id, "operator", CancellationToken.None);
        var run = await running;

        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal("cancelled by operator", run.Message);
        Assert.Equal(["slow start long", "slow cancelled long", "finally", "on_failure"], harness.Calls.Items);
    }

    [Fact]
    public async Task Concurrency_Reject_RefusesSecondRunNamingHolder()
    {
        var harness = new EngineHarness();
        var yaml = """
            id: locked
            concurrency: { key: "{{ inputs.env }}", queue: reject }
            inputs:
              env: { type: string, default: prod }
            steps:
              - uses: wait
                with: { signal: go }
            """;
        var first = await harness.RunAsync(yaml);
        Assert.Equal(RunStatus.Waiting, first.Status);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => harness.StartAsync(yaml));
        Assert.Equal($"concurrency key 'prod' is held by run {first.Id}; this workflow refuses a second run (concurrency.queue: reject)", error.Message);
    }

    [Fact]
    public async Task Concurrency_Latest_SupersedesQueuedRunsButTheNewest()
    {
        var harness = new EngineHarness();
        var yaml = """
            id: testing
            concurrency: { key: testing, queue: latest }
            inputs:
              n: { type: integer, default: 0 }
            steps:
              - uses: wait
                if: "{{ inputs.n == 0 }}"
                with: { signal: go }
              - uses: test.record
                with: { name: "deploy {{ inputs.n }}" }
            """;
        var holder = await harness.RunAsync(yaml);
        var queued = new List<RunRecord>();
        for (var n = 1; n <= 3; n++)
        {
            queued.Add(await harness.RunAsync(yaml, new Dictionary<string, object?> { ["n"] = (long)n }));
        }

        Assert.All(queued, q => Assert.Equal(RunStatus.Pending, q.Status));
        await harness.Engine.SignalAsync(holder.Id, "go", null, null, CancellationToken.None);
        await harness.Engine.RunAsync(holder.Id, CancellationToken.None);
        await harness.Engine.WhenIdleAsync();

        Assert.Equal(["deploy 0", "deploy 3"], harness.Calls.Items);
        Assert.Equal(RunStatus.Superseded, (await harness.Store.GetRunAsync(queued[0].Id, default))!.Status);
        Assert.Equal($"superseded by run {queued[2].Id}, a newer run for concurrency key 'testing' (queue: latest)", (await harness.Store.GetRunAsync(queued[1].Id, default))!.Message);
        Assert.Equal(RunStatus.Succeeded, (await harness.Store.GetRunAsync(queued[2].Id, default))!.Status);
    }

    [Fact]
    public async Task Replay_JournalAlone_ReproducesFinalState()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: replay
            steps:
              - id: a
                uses: test.record
                with: { name: a, items: [x, y] }
              - id: b
                uses: fail
                continue_on_error: true
                with: { message: x }
              - id: c
                uses: fail
                with: { message: stop here }
            """);

        var state = JournalState.Replay(await harness.JournalAsync(run.Id));

        Assert.Equal((RunStatus.Failed, "step c (steps[2]) failed: stop here"), (run.Status, run.Message));
        Assert.Equal((run.Status, run.Message), (state.Status, state.Message));
        Assert.Equal(["steps[0]", "steps[1]", "steps[2]"], state.Finished.Keys.Order(StringComparer.Ordinal));
        var a = state.Finished["steps[0]"];
        Assert.Equal(JournalEventTypes.StepSucceeded, a.Type);
        Assert.Equal("A", OutputsOf(a)["value"]);
        Assert.Equal(["x", "y"], Assert.IsAssignableFrom<IEnumerable<object?>>(OutputsOf(a)["items"]));
        Assert.Equal((JournalEventTypes.StepFailed, "x"), (state.Finished["steps[1]"].Type, state.Finished["steps[1]"].Error!.Message));
        Assert.Equal((JournalEventTypes.StepFailed, "stop here"), (state.Finished["steps[2]"].Type, state.Finished["steps[2]"].Error!.Message));
        Assert.Empty(state.Waiting);
    }

    [Fact]
    public async Task Replay_WaitingRun_ReproducesTheWaitThenTheSignalAndItsPayload()
    {
        var harness = new EngineHarness();
        var waiting = await harness.RunAsync("""
            id: gated
            steps:
              - id: before
                uses: test.record
                with: { name: before }
              - id: gate
                uses: wait
                with: { signal: go }
              - id: after
                uses: test.record
                with: { name: "after {{ steps.gate.outputs.payload.who }}" }
            """);

        var atWait = JournalState.Replay(await harness.JournalAsync(waiting.Id));

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal(RunStatus.Waiting, atWait.Status);
        Assert.Equal(["steps[0]"], atWait.Finished.Keys);
        var wait = Assert.Single(atWait.Waiting);
        Assert.Equal(("steps[1]", "go"), (wait.Key, wait.Value.Wait!.Signal));
        Assert.Equal(waiting.Message, $"{wait.Value.Message} (signal 'go')");
        Assert.Empty(atWait.SignalsFor("steps[1]"));

        await harness.Engine.SignalAsync(waiting.Id, "go", new Dictionary<string, object?> { ["who"] = "alice" }, "tester", CancellationToken.None);
        var signalled = JournalState.Replay(await harness.JournalAsync(waiting.Id));
        var delivery = Assert.Single(signalled.SignalsFor("steps[1]"));
        Assert.Equal(("go", "tester"), (delivery.Name, delivery.SentBy));
        Assert.Equal("alice", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(delivery.Payload)["who"]);

        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);
        var final = JournalState.Replay(await harness.JournalAsync(done.Id));

        Assert.Equal((RunStatus.Succeeded, done.Message), (final.Status, final.Message));
        Assert.Empty(final.Waiting);
        Assert.Equal("AFTER ALICE", OutputsOf(final.Finished["steps[2]"])["value"]);
    }

    [Fact]
    public async Task Replay_CancelledRun_ReproducesWhoCancelledAndWhatRan()
    {
        var harness = new EngineHarness();
        var started = await harness.StartAsync("""
            id: cancel
            steps:
              - group:
                  - uses: test.slow
                    with: { name: long, duration: 30s }
                finally:
                  - id: cleanup
                    uses: test.record
                    with: { name: finally }
            """);
        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Calls.Items.Contains("slow start long"), "the slow step starts");

        await harness.Engine.CancelAsync(started.Id, "operator", CancellationToken.None);
        var run = await running;

        var state = JournalState.Replay(await harness.JournalAsync(run.Id));

        Assert.Equal((RunStatus.Cancelled, "cancelled by operator"), (run.Status, run.Message));
        Assert.Equal((run.Status, run.Message, true, "operator"), (state.Status, state.Message, state.CancelRequested, state.CancelledBy));
        var slow = state.Finished.Single(f => f.Value.Activity == "test.slow").Value;
        Assert.Equal((JournalEventTypes.StepFailed, "Cancelled", "cancelled while running"), (slow.Type, slow.Error!.Type, slow.Error.Message));
        var cleanup = state.Finished.Single(f => f.Value.StepId == "cleanup").Value;
        Assert.Equal((JournalEventTypes.StepSucceeded, "FINALLY"), (cleanup.Type, OutputsOf(cleanup)["value"]));
    }

    private static IReadOnlyDictionary<string, object?> OutputsOf(JournalEvent finished) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(finished.Outputs);
}
