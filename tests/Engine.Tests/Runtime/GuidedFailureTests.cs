using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// <c>on_error: ask</c>: a failing step makes the run wait showing its error; retry runs it again, skip goes on
/// with its outputs empty and its status skipped, abort (or no answer within the timeout) fails the run and runs on_failure.
/// </summary>
public sealed class GuidedFailureTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private const string Deploy = """
        id: deploy
        inputs:
          ask: { type: boolean, default: true }
        on_error: "{{ if inputs.ask }}ask{{ else }}fail{{ end }}"
        steps:
          - id: restart
            uses: test.fixable
            with: { name: restart, value: web1 }
          - id: report
            uses: test.fixable
            with: { name: report, value: "{{ steps.restart.status }}/{{ if steps.restart.status == 'succeeded' }}{{ steps.restart.outputs.name }}{{ end }}" }
        on_failure:
          - uses: test.fixable
            with: { name: cleanup }
        """;

    [Fact]
    public async Task FailingStep_OnErrorAsk_WaitsShowingTheErrorAndTheChoices()
    {
        var harness = new EngineHarness(new ObservedClock(T0));
        harness.Breakage.Break("restart");

        var run = await harness.RunAsync(Deploy);

        Assert.Equal(RunStatus.Waiting, run.Status);
        Assert.Equal(
            $"step restart failed: restart is broken; answer retry, skip or abort (gantry runs answer {run.Id} retry|skip|abort); no answer by then aborts (signal 'answer:steps[0]#1')",
            run.Message);
        var asked = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepWaiting);
        Assert.Equal(("error", "restart is broken", T0.AddHours(1)), (asked.Wait!.Kind, asked.Error!.Message, asked.Wait.ResumeAt));
        Assert.DoesNotContain(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepFailed);
        Assert.Equal(["restart web1"], harness.Calls.Items);
    }

    [Fact]
    public async Task Answer_Retry_RunsTheStepAgainAndTheRunGoesOn()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");
        var run = await harness.RunAsync(Deploy);
        harness.Breakage.Fix("restart");

        await harness.Engine.AnswerAsync(run.Id, "retry", null, "alice", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["restart web1", "restart web1", "report succeeded/restart"], harness.Calls.Items);
        var resumed = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepResumed);
        Assert.Equal(("alice", "alice answered retry"), (resumed.Actor, resumed.Message));
    }

    [Fact]
    public async Task Answer_RetryAndItFailsAgain_AsksAgainWithANewQuestionThatTheFirstAnswerDoesNotAnswer()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");
        var run = await harness.RunAsync(Deploy);

        await harness.Engine.AnswerAsync(run.Id, "retry", null, "alice", CancellationToken.None);
        var again = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        harness.Breakage.Fix("restart");
        await harness.Engine.AnswerAsync(run.Id, "retry", "restart", "alice", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, again.Status);
        Assert.EndsWith("(signal 'answer:steps[0]#2')", again.Message);
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["restart web1", "restart web1", "restart web1", "report succeeded/restart"], harness.Calls.Items);
    }

    [Fact]
    public async Task Answer_Skip_GoesOnWithTheStepSkippedAndItsOutputsEmpty()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");
        var run = await harness.RunAsync(Deploy);

        await harness.Engine.AnswerAsync(run.Id, "skip", null, "bob", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["restart web1", "report skipped/"], harness.Calls.Items);
        var skipped = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepSkipped);
        Assert.Equal(("restart", "bob", "skipped by bob after it failed: restart is broken"), (skipped.StepId, skipped.Actor, skipped.Message));
    }

    [Fact]
    public async Task Answer_Abort_FailsTheRunWithTheStepsErrorAndRunsOnFailure()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");
        var run = await harness.RunAsync(Deploy);

        await harness.Engine.AnswerAsync(run.Id, "abort", null, "carol", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal((RunStatus.Failed, "step restart (steps[0]) failed: restart is broken"), (finished.Status, finished.Message));
        Assert.Equal(["restart web1", "cleanup"], harness.Calls.Items);
        var failed = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepFailed && e.StepId == "restart");
        Assert.Equal("carol", failed.Actor);
    }

    [Fact]
    public async Task NoAnswer_WithinTheTimeout_AbortsAndRunsOnFailure()
    {
        var clock = new ObservedClock(T0);
        var harness = new EngineHarness(clock);
        harness.Breakage.Break("restart");
        var started = await harness.StartAsync("""
            id: deploy
            steps:
              - id: restart
                uses: test.fixable
                on_error: { mode: ask, timeout: 30m }
                with: { name: restart }
            on_failure:
              - uses: test.fixable
                with: { name: cleanup }
            """);
        var waiting = await harness.Engine.RunAsync(started.Id, CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.True(await clock.NextTimerAsync());

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(RunStatus.Waiting, (await harness.Store.GetRunAsync(started.Id, CancellationToken.None))!.Status);
        clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Engine.WhenIdleAsync();

        var run = (await harness.Store.GetRunAsync(started.Id, CancellationToken.None))!;
        Assert.Equal((RunStatus.Failed, "step restart (steps[0]) failed: restart is broken (no answer by 2026-03-02 08:30:00Z: aborted)"), (run.Status, run.Message));
        Assert.Equal(["restart", "cleanup"], harness.Calls.Items);
    }

    [Fact]
    public async Task OnErrorTemplate_RendersFail_FailsAtOnceWithoutAsking()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");

        var run = await harness.RunAsync(Deploy, new Dictionary<string, object?> { ["ask"] = false });

        Assert.Equal((RunStatus.Failed, "step restart (steps[0]) failed: restart is broken"), (run.Status, run.Message));
        Assert.DoesNotContain(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepWaiting);
    }

    [Fact]
    public async Task Answer_NotAnAnswerOrNoQuestion_IsRefusedWithoutJournalingAnything()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("restart");
        var waiting = await harness.RunAsync(Deploy);
        var succeeded = await harness.RunAsync(Deploy.Replace("name: restart,", "name: restarted,", StringComparison.Ordinal));

        var wrong = await Assert.ThrowsAsync<ArgumentException>(() => harness.Engine.AnswerAsync(waiting.Id, "maybe", null, "alice", CancellationToken.None));
        var unknownStep = await Assert.ThrowsAsync<NoQuestionException>(() => harness.Engine.AnswerAsync(waiting.Id, "skip", "report", "alice", CancellationToken.None));
        var none = await Assert.ThrowsAsync<NoQuestionException>(() => harness.Engine.AnswerAsync(succeeded.Id, "skip", null, "alice", CancellationToken.None));

        Assert.Equal("'maybe' is not an answer to a failed step; expected retry, skip or abort", wrong.Message);
        Assert.Equal($"run {waiting.Id} is waiting and has no failed step 'report' waiting for an answer", unknownStep.Message);
        Assert.Equal($"run {succeeded.Id} is succeeded and has no failed step waiting for an answer", none.Message);
        Assert.DoesNotContain(await harness.JournalAsync(waiting.Id), e => e.Type == JournalEventTypes.SignalReceived);
    }
}
