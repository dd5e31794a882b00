using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Engine.Scheduling;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Scheduling;

/// <summary>
/// Schedulers on a fake clock over one SQLite file store, each with an engine of its own, as
/// several <c>gantry serve</c> / <c>gantry worker</c> nodes would be: one run per tick, missed ticks
/// started once or skipped, nothing retroactive for a new schedule.
/// </summary>
public sealed class WorkflowSchedulerTests : IAsyncDisposable
{
    // Weekdays 10:00 in Amsterdam; 2026-12-07 is a Monday, 09:00 UTC = 10:00 CET.
    private const string Daily = """
        id: daily
        inputs:
          version: { type: string, default: "" }
        on:
          schedule: { cron: "0 10 * * 1-5", timezone: Europe/Amsterdam, environment: prod, inputs: { version: "" }, missed: MISSED }
        steps:
          - uses: test.record
            with: { name: tick }
        """;

    private static readonly DateTimeOffset MondayTick = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-schedule-").FullName;
    private readonly FakeTimeProvider _time = new(MondayTick.AddMinutes(-30));
    private readonly List<StoreSet> _stores = [];

    [Fact]
    public async Task SeveralNodes_SameTick_OneRunWithTheTickRecorded()
    {
        var workflow = Load(Daily.Replace("MISSED", "run-once", StringComparison.Ordinal));
        var nodes = new List<WorkflowScheduler>();
        for (var i = 0; i < 4; i++)
        {
            nodes.Add(await NodeAsync(workflow));
        }

        await Task.WhenAll(nodes.Select(n => n.TickAsync(CancellationToken.None)));
        _time.SetUtcNow(MondayTick.AddSeconds(1));
        var started = await Task.WhenAll(nodes.Select(n => n.TickAsync(CancellationToken.None)));

        Assert.Equal(1, started.Sum(s => s.Count));
        var run = Assert.Single(await RunsAsync());
        Assert.Equal(ScheduledStart.TickRunId("daily", 0, MondayTick), run.Id);
        Assert.Equal("schedule:0 10 * * 1-5", run.Trigger);
        Assert.Equal("prod", run.EnvironmentId);
        var triggered = Assert.Single(await _stores[0].Runs.ReadJournalAsync(run.Id, 0, CancellationToken.None), e => e.Type == JournalEventTypes.RunTriggered);
        var details = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(triggered.Payload);
        Assert.Equal("2026-12-07T09:00:00.0000000+00:00", details["tick"]);
        Assert.Equal("Europe/Amsterdam", details["timezone"]);

        // The next look of every node, still within the same tick, starts nothing more.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.All(await Task.WhenAll(nodes.Select(n => n.TickAsync(CancellationToken.None))), s => Assert.Empty(s));
        Assert.Single(await RunsAsync());
    }

    [Fact]
    public async Task SeveralNodes_RacingTheInsert_AnotherNodeStartedIt()
    {
        var workflow = Load(Daily.Replace("MISSED", "run-once", StringComparison.Ordinal));
        var gate = new TaskCompletionSource();
        var nodes = new List<WorkflowScheduler>();
        for (var i = 0; i < 3; i++)
        {
            // Every node has looked (the run is not there yet) before any inserts it.
            nodes.Add(await NodeAsync(workflow, beforeStart: () => gate.Task));
        }

        await Task.WhenAll(nodes.Select(n => n.TickAsync(CancellationToken.None)));
        _time.SetUtcNow(MondayTick);
        var ticking = nodes.Select(n => n.TickAsync(CancellationToken.None)).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(_waitingAtGate == 3), "every node reached the insert");
        gate.SetResult();
        var started = await Task.WhenAll(ticking);

        Assert.Equal(1, started.Sum(s => s.Count));
        Assert.Single(await RunsAsync());
    }

    [Fact]
    public async Task MissedTicks_RunOnce_TheNewestMissedTickStartsOnceWhenANodeComesBack()
    {
        var workflow = Load(Daily.Replace("MISSED", "run-once", StringComparison.Ordinal));
        var first = await NodeAsync(workflow);
        await first.TickAsync(CancellationToken.None);
        _time.SetUtcNow(MondayTick);
        Assert.Single(await first.TickAsync(CancellationToken.None));

        // No node runs through Tuesday's and Wednesday's ticks; two nodes come back Wednesday noon.
        _time.SetUtcNow(MondayTick.AddDays(2).AddHours(3));
        var back = new[] { await NodeAsync(workflow), await NodeAsync(workflow) };
        var started = await Task.WhenAll(back.Select(n => n.TickAsync(CancellationToken.None)));

        var caughtUp = Assert.Single(started.SelectMany(s => s));
        Assert.Equal(MondayTick.AddDays(2), caughtUp.Tick);
        Assert.Equal(2, (await RunsAsync()).Count);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty((await Task.WhenAll(back.Select(n => n.TickAsync(CancellationToken.None)))).SelectMany(s => s));
    }

    [Fact]
    public async Task MissedTicks_Skip_NothingUntilTheNextTick()
    {
        var workflow = Load(Daily.Replace("MISSED", "skip", StringComparison.Ordinal));
        var first = await NodeAsync(workflow);
        await first.TickAsync(CancellationToken.None);
        _time.SetUtcNow(MondayTick);
        Assert.Single(await first.TickAsync(CancellationToken.None));

        _time.SetUtcNow(MondayTick.AddDays(2).AddHours(3));
        var back = await NodeAsync(workflow);
        Assert.Empty(await back.TickAsync(CancellationToken.None));

        _time.SetUtcNow(MondayTick.AddDays(3));
        var thursday = Assert.Single(await back.TickAsync(CancellationToken.None));
        Assert.Equal(MondayTick.AddDays(3), thursday.Tick);
        Assert.Equal(2, (await RunsAsync()).Count);
    }

    [Fact]
    public async Task NewSchedule_DoesNotFireRetroactively_ThenFiresAtItsNextTick()
    {
        var workflow = Load(Daily.Replace("MISSED", "run-once", StringComparison.Ordinal));
        _time.SetUtcNow(MondayTick.AddHours(5));
        var node = await NodeAsync(workflow);

        Assert.Empty(await node.TickAsync(CancellationToken.None));
        Assert.Empty(await RunsAsync());

        // Saturday and Sunday are not in 1-5: the next tick is Tuesday's.
        _time.SetUtcNow(MondayTick.AddDays(1));
        Assert.Equal(MondayTick.AddDays(1), Assert.Single(await node.TickAsync(CancellationToken.None)).Tick);
    }

    [Fact]
    public async Task RunAsync_SleepsOnTheClockUntilTheTick()
    {
        var workflow = Load(Daily.Replace("MISSED", "run-once", StringComparison.Ordinal));
        var node = await NodeAsync(workflow);
        using var stop = new CancellationTokenSource();
        var loop = node.RunAsync(stop.Token);

        while (_time.GetUtcNow() < MondayTick.AddMinutes(1))
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            await Task.Yield();
        }

        await Eventually.TrueAsync(async () => (await RunsAsync()).Count == 1, "the loop started the tick's run");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    private int _waitingAtGate;

    private static WorkflowDefinition Load(string yaml) => DocumentLoader.LoadWorkflow(yaml, "workflows/daily.yaml").GetOrThrow();

    /// <summary>A node: its own store connection on the shared SQLite file, its own engine, its own scheduler.</summary>
    private async Task<WorkflowScheduler> NodeAsync(WorkflowDefinition workflow, Func<Task>? beforeStart = null)
    {
        var stores = await RunStoreFactory.OpenAsync(null, _folder, _time, CancellationToken.None);
        _stores.Add(stores);
        var engine = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton(stores.Runs)
            .AddGantryEngine()
            .AddActivity<RecordActivity>()
            .AddSingleton(new CallLog())
            .BuildServiceProvider()
            .GetRequiredService<WorkflowEngine>();
        var environment = DocumentLoader.LoadEnvironment("id: prod\n", "environments/prod.yaml").GetOrThrow();
        return new WorkflowScheduler(stores.Runs, _time, _ => Task.FromResult<IReadOnlyCollection<WorkflowDefinition>>([workflow]), async (due, ct) =>
        {
            if (beforeStart is not null)
            {
                Interlocked.Increment(ref _waitingAtGate);
                await beforeStart();
            }

            await engine.StartAsync(new StartRunRequest
            {
                Workflow = due.Workflow,
                Environment = environment,
                EnvironmentText = "id: prod\n",
                Inputs = due.Schedule.Inputs,
                Trigger = due.Schedule.Trigger,
                StartedBy = "schedule",
                TriggerDetails = due.TriggerDetails,
                RunId = due.RunId,
            }, ct);
            return true;
        });
    }

    private async Task<IReadOnlyList<RunRecord>> RunsAsync() =>
        await _stores[0].Runs.ListRunsAsync(new RunQuery { WorkflowId = "daily" }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var stores in _stores)
        {
            await stores.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
