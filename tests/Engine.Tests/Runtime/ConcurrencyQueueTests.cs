using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// concurrency: { key, queue: latest | all | reject } against a durable store: the queue is the
/// store's Pending runs and key table, so a second engine on the same database sees it.
/// </summary>
public abstract class ConcurrencyQueueTests : IAsyncLifetime
{
    private const string Key = "testing";

    private readonly EngineHarness _harness = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A fresh store; each call opens another store object on the same database.</summary>
    protected abstract Task<IRunStore> OpenStoreAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Latest_SeveralQueuedBehindHolder_OnlyNewestRunsAndOthersNameIt()
    {
        var engine = await EngineAsync();
        var holder = await RunAsync(engine, Workflow("latest"), 0);
        var queued = new List<RunRecord>();
        for (var n = 1; n <= 3; n++)
        {
            queued.Add(await RunAsync(engine, Workflow("latest"), n));
        }

        Assert.All(queued, q => Assert.Equal(RunStatus.Pending, q.Status));
        Assert.Equal($"queued behind run {holder.Id}, which holds concurrency key '{Key}'", queued[0].Message);

        await FinishHolderAsync(engine, holder);

        Assert.Equal(["deploy 0", "deploy 3"], _harness.Calls.Items);
        foreach (var superseded in queued.Take(2))
        {
            var run = (await engine.Store.GetRunAsync(superseded.Id, default))!;
            var message = $"superseded by run {queued[2].Id}, a newer run for concurrency key '{Key}' (queue: latest)";
            Assert.Equal((RunStatus.Superseded, message), (run.Status, run.Message));
            var last = (await engine.Store.ReadJournalAsync(superseded.Id, 0, default))[^1];
            Assert.Equal((JournalEventTypes.RunFinished, RunStatus.Superseded, message), (last.Type, last.Status, last.Message));
        }

        Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(queued[2].Id, default))!.Status);
    }

    [Fact]
    public async Task Latest_OlderRunClaimsKeyAfterNewerWasQueued_SupersedesItselfAndNewestRuns()
    {
        var engine = await EngineAsync();
        var older = await StartAsync(engine, Workflow("latest"), 1);
        var newer = await StartAsync(engine, Workflow("latest"), 2);

        var result = await engine.RunAsync(older.Id, CancellationToken.None);
        await engine.WhenIdleAsync();

        Assert.Equal((RunStatus.Superseded, $"superseded by run {newer.Id}, a newer run for concurrency key '{Key}' (queue: latest)"), (result.Status, result.Message));
        Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(newer.Id, default))!.Status);
        Assert.Equal(["deploy 2"], _harness.Calls.Items);
    }

    [Fact]
    public async Task All_QueuedRunsRunOneAfterAnotherInOrder()
    {
        var engine = await EngineAsync();
        var holder = await RunAsync(engine, Workflow("all"), 0);
        var queued = new List<RunRecord>();
        for (var n = 1; n <= 3; n++)
        {
            queued.Add(await RunAsync(engine, Workflow("all"), n));
        }

        await FinishHolderAsync(engine, holder);

        Assert.Equal(["deploy 0", "deploy 1", "deploy 2", "deploy 3"], _harness.Calls.Items);
        foreach (var run in queued)
        {
            Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(run.Id, default))!.Status);
        }
    }

    [Fact]
    public async Task PlainStringKey_QueuesAll()
    {
        var engine = await EngineAsync();
        var yaml = Workflow("all").Replace($"concurrency: {{ key: {Key}, queue: all }}", $"concurrency: {Key}", StringComparison.Ordinal);
        var holder = await RunAsync(engine, yaml, 0);
        var queued = await RunAsync(engine, yaml, 1);
        var newest = await RunAsync(engine, yaml, 2);

        await FinishHolderAsync(engine, holder);

        Assert.Equal(["deploy 0", "deploy 1", "deploy 2"], _harness.Calls.Items);
        Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(queued.Id, default))!.Status);
        Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(newest.Id, default))!.Status);
    }

    [Fact]
    public async Task Reject_SecondRunRefusedWhileHeld_AcceptedOnceFreed()
    {
        var engine = await EngineAsync();
        var holder = await RunAsync(engine, Workflow("reject"), 0);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => StartAsync(engine, Workflow("reject"), 1));
        Assert.Equal($"concurrency key '{Key}' is held by run {holder.Id}; this workflow refuses a second run (concurrency.queue: reject)", error.Message);

        await FinishHolderAsync(engine, holder);
        var next = await RunAsync(engine, Workflow("reject"), 2);
        Assert.Equal(RunStatus.Succeeded, next.Status);
        Assert.Equal(["deploy 0", "deploy 2"], _harness.Calls.Items);
    }

    [Fact]
    public async Task Latest_QueueIsInTheStore_AnotherEngineOnTheSameDatabaseRunsTheNewest()
    {
        var first = await EngineAsync();
        var holder = await RunAsync(first, Workflow("latest"), 0);
        var queued = new[] { await RunAsync(first, Workflow("latest"), 1), await RunAsync(first, Workflow("latest"), 2) };

        // A restart: a new engine over a new store object; only the database is shared.
        var second = await EngineAsync();
        await FinishHolderAsync(second, holder);

        Assert.Equal(RunStatus.Superseded, (await second.Store.GetRunAsync(queued[0].Id, default))!.Status);
        Assert.Equal(RunStatus.Succeeded, (await second.Store.GetRunAsync(queued[1].Id, default))!.Status);
        Assert.Equal(["deploy 0", "deploy 2"], _harness.Calls.Items);
    }

    [Fact]
    public async Task Latest_HolderFinishedWithoutPromoting_RecoverRunsTheNewest()
    {
        var worker = await EngineAsync(resumeInProcess: false);
        var holder = await RunAsync(worker, Workflow("latest"), 0);
        var queued = new[] { await RunAsync(worker, Workflow("latest"), 1), await RunAsync(worker, Workflow("latest"), 2) };
        await FinishHolderAsync(worker, holder);
        Assert.Equal(RunStatus.Pending, (await worker.Store.GetRunAsync(queued[1].Id, default))!.Status);

        var restarted = await EngineAsync();
        await restarted.RecoverAsync(CancellationToken.None);
        await restarted.WhenIdleAsync();

        Assert.Equal(RunStatus.Superseded, (await restarted.Store.GetRunAsync(queued[0].Id, default))!.Status);
        Assert.Equal(RunStatus.Succeeded, (await restarted.Store.GetRunAsync(queued[1].Id, default))!.Status);
        Assert.Equal(["deploy 0", "deploy 2"], _harness.Calls.Items);
    }

    [Fact]
    public async Task Latest_FiveRunsStartedAtOnce_NewestSucceedsNoneFailsNeverTwoAtOnce()
    {
        var engine = await EngineAsync();
        var yaml = $$$"""
            id: burst
            concurrency: { key: {{{Key}}}, queue: latest }
            inputs:
              n: { type: integer }
            steps:
              - uses: test.slow
                with: { name: "{{ inputs.n }}", duration: 1s }
            """;
        var runs = new List<RunRecord>();
        for (var n = 1; n <= 5; n++)
        {
            runs.Add(await StartAsync(engine, yaml, n));
        }

        runs.ForEach(r => engine.RunInBackground(r.Id));
        // Each poll that finds a run still going moves the fake clock on by a second (the step's duration).
        await Eventually.TrueAsync(
            async () =>
            {
                if (await AllFinishedAsync(engine, runs))
                {
                    return true;
                }

                _clock.Advance(TimeSpan.FromSeconds(1));
                return false;
            },
            "every queued run finishes",
            every: TimeSpan.FromMilliseconds(20));

        await engine.WhenIdleAsync();
        var statuses = new List<RunStatus>();
        foreach (var run in runs)
        {
            statuses.Add((await engine.Store.GetRunAsync(run.Id, default))!.Status);
        }

        Assert.Equal(RunStatus.Succeeded, statuses[^1]);
        Assert.All(statuses, s => Assert.Contains(s, new[] { RunStatus.Succeeded, RunStatus.Superseded }));
        Assert.Equal(1, _harness.Calls.MaxConcurrent);
    }

    private static async Task<bool> AllFinishedAsync(WorkflowEngine engine, IEnumerable<RunRecord> runs)
    {
        foreach (var run in runs)
        {
            if (!(await engine.Store.GetRunAsync(run.Id, default))!.IsFinished)
            {
                return false;
            }
        }

        return true;
    }

    private static string Workflow(string queue) => $$$"""
        id: deploy-{{{queue}}}
        concurrency: { key: {{{Key}}}, queue: {{{queue}}} }
        inputs:
          n: { type: integer, default: 0 }
        steps:
          - uses: wait
            if: "{{ inputs.n == 0 }}"
            with: { signal: go }
          - uses: test.record
            with: { name: "deploy {{ inputs.n }}" }
        """;

    private async Task<WorkflowEngine> EngineAsync(bool resumeInProcess = true) =>
        new(await OpenStoreAsync(), _harness.Services.GetRequiredService<ActivityRegistry>(), _harness.Services, new EngineOptions { ResumeInProcess = resumeInProcess }, _clock);

    private async Task<RunRecord> StartAsync(WorkflowEngine engine, string yaml, int n)
    {
        // Each run is created a second after the one before, so "newest" never depends on a tie.
        _clock.Advance(TimeSpan.FromSeconds(1));
        return await engine.StartAsync(
            new StartRunRequest { Workflow = EngineHarness.Workflow(yaml), Inputs = new Dictionary<string, object?> { ["n"] = (long)n }, Library = new Dictionary<string, Model.WorkflowDefinition>() },
            CancellationToken.None);
    }

    private async Task<RunRecord> RunAsync(WorkflowEngine engine, string yaml, int n) =>
        await engine.RunAsync((await StartAsync(engine, yaml, n)).Id, CancellationToken.None);

    private static async Task FinishHolderAsync(WorkflowEngine engine, RunRecord holder)
    {
        await engine.SignalAsync(holder.Id, "go", null, null, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, (await engine.RunAsync(holder.Id, CancellationToken.None)).Status);
        await engine.WhenIdleAsync();
    }
}
