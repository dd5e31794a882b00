using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// Retrying a failed or cancelled run goes on in the same run: steps that succeeded before the retry point
/// are replayed from the journal, the rest run again, and the journal says who retried from where.
/// </summary>
public sealed class RunRetryTests
{
    private const string Rollout = """
        id: rollout
        steps:
          - id: tag
            uses: test.fixable
            with: { name: tag, value: v3.1.0 }
          - id: first_live
            uses: lb.test-groups
            with: { name: group2-live }
          - id: deploy_1
            uses: test.fixable
            with: { name: deploy-group1, value: "{{ steps.tag.outputs.seen }}" }
          - id: flip
            uses: lb.test-groups
            with: { name: flip }
          - id: deploy_2
            uses: test.fixable
            with: { name: deploy-group2, value: "{{ steps.tag.outputs.seen }}" }
          - id: all_live
            uses: lb.test-groups
            with: { name: all }
        on_failure:
          - uses: lb.test-groups
            with: { name: restore }
        """;

    private const string NoCleanup = """
        id: plain
        steps:
          - id: build
            uses: test.fixable
            with: { name: build, value: abc123 }
          - id: publish
            uses: test.fixable
            with: { name: publish, value: "{{ steps.build.outputs.seen }}" }
          - id: announce
            uses: test.fixable
            with: { name: announce }
        """;

    [Fact]
    public async Task Retry_NoOnFailureRan_GoesOnFromTheFailedStepWithEarlierOutputsReplayed()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("publish");
        var failed = await harness.RunAsync(NoCleanup);
        Assert.Equal(RunStatus.Failed, failed.Status);
        harness.Breakage.Fix("publish");

        var (pending, point) = await harness.Engine.RetryAsync(failed.Id, from: null, by: "alice", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);

        Assert.Equal((RunStatus.Pending, "retried from the failed step 'publish' by alice"), (pending.Status, pending.Message));
        Assert.Equal(("steps[1]", "publish"), (point.StepKey, point.StepId));
        Assert.Equal((failed.Id, RunStatus.Succeeded, null), (finished.Id, finished.Status, finished.Message));
        Assert.Equal(["build abc123", "publish abc123", "publish abc123", "announce"], harness.Calls.Items);
        var journal = await harness.JournalAsync(failed.Id);
        var retried = Assert.Single(journal, e => e.Type == JournalEventTypes.RunRetried);
        Assert.Equal(("alice", "steps[1]", "publish", "retried from the failed step 'publish' by alice"), (retried.Actor, retried.Path, retried.StepId, retried.Message));
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepStarted && e.StepId == "build"));
        Assert.Equal([RunStatus.Failed, RunStatus.Succeeded], journal.Where(e => e.Type == JournalEventTypes.RunFinished).Select(e => e.Status!.Value));
    }

    [Fact]
    public async Task Retry_AfterOnFailureRestoredTheLoadBalancer_DefaultsToTheNearestLoadBalancerStepBeforeTheFailure()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("deploy-group2");
        var failed = await harness.RunAsync(Rollout);
        harness.Breakage.Fix("deploy-group2");
        harness.Calls.Entries.Clear();

        var (_, point) = await harness.Engine.RetryAsync(failed.Id, from: null, by: "bob", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);

        Assert.Equal(
            "from 'flip' (lb.test-groups), the nearest load-balancer step before the failed step 'deploy_2': on_failure ran after the failure and may have changed the load balancer",
            point.Reason);
        Assert.Equal(RunStatus.Succeeded, finished.Status);

        // group1 is not deployed again; the tag's output is replayed into deploy_2.
        Assert.Equal(["lb flip", "deploy-group2 v3.1.0", "lb all"], harness.Calls.Items);
    }

    [Fact]
    public async Task Retry_FromAStepAfterTheLoadBalancerStepOnceOnFailureRan_IsRefusedNamingTheStepToRetryFrom()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("deploy-group2");
        var failed = await harness.RunAsync(Rollout);

        var refused = await Assert.ThrowsAsync<RetryRefusedException>(() => harness.Engine.RetryAsync(failed.Id, "deploy_2", "bob", CancellationToken.None));

        Assert.Equal(
            $"run {failed.Id}: on_failure ran after 'deploy_2' failed and may have changed the load balancer, so 'deploy_2' would not find it as it expects; retry from 'flip' (lb.test-groups, the nearest load-balancer step before the failure) or an earlier step",
            refused.Message);
        Assert.Equal(RunStatus.Failed, (await harness.Store.GetRunAsync(failed.Id, CancellationToken.None))!.Status);
        Assert.DoesNotContain(await harness.JournalAsync(failed.Id), e => e.Type == JournalEventTypes.RunRetried);
    }

    [Fact]
    public async Task Retry_FromAnEarlierStep_RunsItAndEverythingAfterIt()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("deploy-group2");
        var failed = await harness.RunAsync(Rollout);
        harness.Breakage.Fix("deploy-group2");
        harness.Calls.Entries.Clear();

        await harness.Engine.RetryAsync(failed.Id, "first_live", "bob", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["lb group2-live", "deploy-group1 v3.1.0", "lb flip", "deploy-group2 v3.1.0", "lb all"], harness.Calls.Items);
    }

    [Fact]
    public async Task Retry_FailsAgainThenRetriedAgain_EachAttemptGoesOnFromItsOwnFailure()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("publish");
        var failed = await harness.RunAsync(NoCleanup);
        harness.Breakage.Fix("publish");
        harness.Breakage.Break("announce");
        await harness.Engine.RetryAsync(failed.Id, null, "alice", CancellationToken.None);
        var again = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);
        harness.Breakage.Fix("announce");

        await harness.Engine.RetryAsync(failed.Id, null, "alice", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);

        Assert.Equal((RunStatus.Failed, "step announce (steps[2]) failed: announce is broken"), (again.Status, again.Message));
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["build abc123", "publish abc123", "publish abc123", "announce", "announce"], harness.Calls.Items);
    }

    [Fact]
    public async Task Retry_InsideACalledWorkflow_ReplaysTheCallersStepsAndTheCalleesEarlierSteps()
    {
        var harness = new EngineHarness();
        var library = new Dictionary<string, Gantry.Engine.Model.WorkflowDefinition> { ["rollout"] = EngineHarness.Workflow(Rollout) };
        harness.Breakage.Break("deploy-group2");
        var run = await harness.StartAsync("""
            id: hotfix
            steps:
              - id: finish
                uses: test.fixable
                with: { name: finish }
              - id: roll
                uses: workflow.call
                with: { workflow: rollout }
            """, library: library);
        var failed = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        harness.Breakage.Fix("deploy-group2");
        harness.Calls.Entries.Clear();

        var (_, point) = await harness.Engine.RetryAsync(run.Id, null, "carol", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(("steps[1]/steps[3]", "flip"), (point.StepKey, point.StepId));
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["lb flip", "deploy-group2 v3.1.0", "lb all"], harness.Calls.Items);
    }

    [Fact]
    public async Task Retry_SucceededRun_IsRefusedAsNotRetryable()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync(NoCleanup);

        var refused = await Assert.ThrowsAsync<RunNotRetryableException>(() => harness.Engine.RetryAsync(run.Id, null, "alice", CancellationToken.None));

        Assert.Equal($"run {run.Id} is succeeded; only a failed or cancelled run can be retried", refused.Message);
    }

    [Fact]
    public async Task Retry_FromAStepThatNeverRan_ListsTheStepsThatRan()
    {
        var harness = new EngineHarness();
        harness.Breakage.Break("publish");
        var failed = await harness.RunAsync(NoCleanup);

        var refused = await Assert.ThrowsAsync<RetryRefusedException>(() => harness.Engine.RetryAsync(failed.Id, "announce", "alice", CancellationToken.None));

        Assert.Equal($"run {failed.Id} has no step 'announce' that ran (on_failure steps cannot be retried from); steps that ran: build, publish", refused.Message);
    }

    [Fact]
    public async Task Retry_UnknownRun_ThrowsKeyNotFound()
    {
        var harness = new EngineHarness();

        var missing = await Assert.ThrowsAsync<KeyNotFoundException>(() => harness.Engine.RetryAsync("no-such-run", null, "alice", CancellationToken.None));

        Assert.Equal("no run with id 'no-such-run'", missing.Message);
    }

    [Fact]
    public async Task Retry_RunWithAConcurrencyKeyHeldByAnotherRun_QueuesBehindIt()
    {
        var harness = new EngineHarness();
        const string Keyed = """
            id: keyed
            concurrency: prod
            steps:
              - id: deploy
                uses: test.fixable
                with: { name: deploy }
            """;
        harness.Breakage.Break("deploy");
        var failed = await harness.RunAsync(Keyed);
        Assert.Null(await harness.Store.TryAcquireKeyAsync("prod", "other-run", CancellationToken.None));
        harness.Breakage.Fix("deploy");

        await harness.Engine.RetryAsync(failed.Id, null, "alice", CancellationToken.None);
        var queued = await harness.Engine.RunAsync(failed.Id, CancellationToken.None);

        Assert.Equal((RunStatus.Pending, "queued behind run other-run, which holds concurrency key 'prod'"), (queued.Status, queued.Message));
        Assert.Equal(["deploy"], harness.Calls.Items);
    }

    [Fact]
    public async Task Retry_CancelledRun_IsNotCancelledAgainByItsOldCancelRequestWhenItsLeaseIsRenewed()
    {
        var start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var clock = new ObservedClock(start);
        var harness = new EngineHarness(clock);
        var run = await harness.StartAsync("""
            id: slow
            steps:
              - id: build
                uses: test.slow
                with: { name: build, duration: 30m }
            """);
        var first = harness.Engine.RunAsync(run.Id, CancellationToken.None);
        Assert.True(await clock.NextTimerAsync());
        await harness.Engine.CancelAsync(run.Id, "alice", CancellationToken.None);
        Assert.Equal(RunStatus.Cancelled, (await first).Status);

        await harness.Engine.RetryAsync(run.Id, null, "alice", CancellationToken.None);
        var retried = harness.Engine.RunAsync(run.Id, CancellationToken.None);
        Assert.True(await clock.NextTimerAsync());

        // The lease is renewed at a third of it (20 minutes), reading the journal; then the step ends.
        clock.Advance(TimeSpan.FromMinutes(21));
        var renewed = start.AddMinutes(21) + EngineHarness.Lease;
        await Eventually.TrueAsync(
            async () => (await harness.Store.GetRunAsync(run.Id, CancellationToken.None))!.LeaseExpiresAt == renewed,
            "the retried execution's lease is renewed");

        clock.Advance(TimeSpan.FromMinutes(9));
        var finished = await retried;

        Assert.Equal((RunStatus.Succeeded, null), (finished.Status, finished.Message));
        Assert.Equal(["slow start build", "slow cancelled build", "slow start build", "slow end build"], harness.Calls.Items);
    }
}
