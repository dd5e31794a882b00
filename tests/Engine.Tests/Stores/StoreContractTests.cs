using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// The behaviour every run store and definition store shares, whatever keeps the data. Each
/// derived class runs these tests against one kind of store, starting empty.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private int _runCounter;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected IRunStore Runs { get; private set; } = null!;

    protected IDefinitionStore Definitions { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Creates empty stores that share one database.</summary>
    protected abstract Task<(IRunStore Runs, IDefinitionStore Definitions)> CreateStoresAsync();

    public virtual async Task InitializeAsync() => (Runs, Definitions) = await CreateStoresAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A run created one second after the previous one.</summary>
    protected RunRecord NewRun(string? id = null, RunStatus status = RunStatus.Pending, string workflow = "deploy", string? environment = "prod", string trigger = "cli", string? key = null)
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return new RunRecord
        {
            Id = id ?? $"run-{++_runCounter:D3}",
            WorkflowId = workflow,
            WorkflowVersion = 3,
            Definitions = new Dictionary<string, string> { [workflow] = "steps: []\n", ["helper"] = "name: helper\n" },
            EnvironmentId = environment,
            EnvironmentText = environment is null ? null : "name: prod\nhosts: [a, b]\n",
            EnvironmentPath = environment is null ? null : "/srv/envs/prod.yaml",
            Inputs = new Dictionary<string, object?> { ["version"] = "1.2.3", ["replicas"] = 3L, ["dry"] = false },
            Status = status,
            ConcurrencyKey = key,
            Trigger = trigger,
            StartedBy = "alice",
            CreatedAt = Time.GetUtcNow(),
            UpdatedAt = Time.GetUtcNow(),
        };
    }

    protected async Task<RunRecord> CreateAsync(RunRecord run)
    {
        await Runs.CreateRunAsync(run, Ct);
        return run;
    }

    protected JournalEvent Event(string type, string? path = null) => new() { Type = type, Time = Time.GetUtcNow(), Path = path, StepId = path };

    [Fact]
    public async Task CreateRun_ThenGet_ReturnsTheSameRecord()
    {
        var run = await CreateAsync(NewRun() with { Message = "queued", ConcurrencyKey = "prod-deploy" });

        var read = await Runs.GetRunAsync(run.Id, Ct);

        Assert.Equivalent(run, read, strict: true);
    }

    [Fact]
    public async Task CreateRun_WithoutOptionalFields_RoundTripsNulls()
    {
        var run = await CreateAsync(NewRun(environment: null) with { WorkflowVersion = null, StartedBy = null, Inputs = new Dictionary<string, object?>() });

        var read = await Runs.GetRunAsync(run.Id, Ct);

        Assert.Equivalent(run, read, strict: true);
    }

    [Fact]
    public async Task CreateRun_ExistingId_ThrowsRunAlreadyExistsNamingIt()
    {
        var run = await CreateAsync(NewRun("dup"));

        var error = await Assert.ThrowsAsync<RunAlreadyExistsException>(() => Runs.CreateRunAsync(run, Ct));

        Assert.Equal(("run dup already exists", "dup"), (error.Message, error.RunId));
    }

    [Fact]
    public async Task GetRun_Unknown_ReturnsNull() => Assert.Null(await Runs.GetRunAsync("nope", Ct));

    [Fact]
    public async Task ListRuns_Filters_ReturnOnlyMatchingRunsNewestFirst()
    {
        var a = await CreateAsync(NewRun(workflow: "deploy", environment: "prod", trigger: "cli", key: "k1"));
        var b = await CreateAsync(NewRun(workflow: "deploy", environment: "staging", trigger: "webhook:push", status: RunStatus.Running));
        var c = await CreateAsync(NewRun(workflow: "rollback", environment: "prod", trigger: "webhook:push", status: RunStatus.Failed, key: "k1"));
        var d = await CreateAsync(NewRun(workflow: "deploy", environment: "prod", trigger: "webhook:push", status: RunStatus.Succeeded));

        Assert.Equal([d.Id, c.Id, b.Id, a.Id], await IdsAsync(new RunQuery()));
        Assert.Equal([d.Id, b.Id, a.Id], await IdsAsync(new RunQuery { WorkflowId = "deploy" }));
        Assert.Equal([d.Id, c.Id, a.Id], await IdsAsync(new RunQuery { EnvironmentId = "prod" }));
        Assert.Equal([d.Id, c.Id], await IdsAsync(new RunQuery { EnvironmentId = "prod", Trigger = "webhook:push" }));
        Assert.Equal([c.Id, a.Id], await IdsAsync(new RunQuery { ConcurrencyKey = "k1" }));
        Assert.Equal([c.Id, b.Id], await IdsAsync(new RunQuery { Statuses = [RunStatus.Running, RunStatus.Failed] }));
        Assert.Empty(await IdsAsync(new RunQuery { Statuses = [] }));
        Assert.Empty(await IdsAsync(new RunQuery { WorkflowId = "unknown" }));
    }

    [Fact]
    public async Task ListRuns_WaitedForSignalOrTimer_ReturnsOnlyRunsWhoseStepsWaitedSo()
    {
        var merge = await CreateAsync(NewRun(status: RunStatus.Waiting));
        var timer = await CreateAsync(NewRun(status: RunStatus.Waiting));
        var both = await CreateAsync(NewRun(status: RunStatus.Running));
        var none = await CreateAsync(NewRun(status: RunStatus.Running));
        await Runs.AppendAsync(merge.Id, [Waiting("0", new WaitRequest("pull_request", "signal", "a merge"))], Ct);
        await Runs.AppendAsync(timer.Id, [Waiting("0", new WaitRequest("timer", "delay", "5m", Time.GetUtcNow().AddMinutes(5)))], Ct);
        await Runs.AppendAsync(both.Id, [Waiting("0", new WaitRequest("pull_request", "signal", "a merge")), Waiting("1", new WaitRequest("approve", "approval", "ok?", Time.GetUtcNow().AddHours(1)))], Ct);
        await Runs.AppendAsync(none.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepStarted, "0")], Ct);

        Assert.Equal([both.Id, merge.Id], await IdsAsync(new RunQuery { WaitedForSignal = "pull_request" }));
        Assert.Equal([both.Id, timer.Id], await IdsAsync(new RunQuery { WaitedOnTimer = true }));
        Assert.Equal([merge.Id], await IdsAsync(new RunQuery { WaitedForSignal = "pull_request", Statuses = [RunStatus.Waiting] }));
        Assert.Empty(await IdsAsync(new RunQuery { WaitedForSignal = "push" }));
    }

    private JournalEvent Waiting(string path, WaitRequest wait) => Event(JournalEventTypes.StepWaiting, path) with { Wait = wait };

    [Fact]
    public async Task ListRuns_LimitAndOffset_PageThroughNewestFirst()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await CreateAsync(NewRun())).Id);
        }

        ids.Reverse();

        Assert.Equal(ids[..3], await IdsAsync(new RunQuery { Limit = 3 }));
        Assert.Equal(ids[3..6], await IdsAsync(new RunQuery { Limit = 3, Offset = 3 }));
        Assert.Equal(ids[6..], await IdsAsync(new RunQuery { Limit = 3, Offset = 6 }));
        Assert.Empty(await IdsAsync(new RunQuery { Limit = 3, Offset = 9 }));
    }

    [Fact]
    public async Task ListRuns_SameCreationTime_OrdersByIdDescending()
    {
        var first = NewRun("run-a");
        await CreateAsync(first);
        await CreateAsync(first with { Id = "run-b" });

        Assert.Equal(["run-b", "run-a"], await IdsAsync(new RunQuery()));
    }

    [Fact]
    public async Task UpdateStatus_SetsStatusMessageAndUpdatedAt()
    {
        var run = await CreateAsync(NewRun());
        Time.Advance(TimeSpan.FromMinutes(5));

        var updated = await Runs.UpdateStatusAsync(run.Id, RunStatus.Failed, "host web-2 unreachable", Ct);

        var expected = run with { Status = RunStatus.Failed, Message = "host web-2 unreachable", UpdatedAt = Time.GetUtcNow() };
        Assert.Equivalent(expected, updated, strict: true);
        Assert.Equivalent(expected, await Runs.GetRunAsync(run.Id, Ct), strict: true);
    }

    [Fact]
    public async Task UpdateStatus_UnknownRun_ThrowsKeyNotFound()
    {
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => Runs.UpdateStatusAsync("nope", RunStatus.Running, null, Ct));

        Assert.Equal("no run with id 'nope'", error.Message);
    }

    [Fact]
    public async Task Append_SeveralCalls_AssignsGapFreeSequencesFromOne()
    {
        var run = await CreateAsync(NewRun());

        var first = await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepStarted, "0")], Ct);
        var second = await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.StepSucceeded, "0")], Ct);
        var none = await Runs.AppendAsync(run.Id, [], Ct);
        var third = await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunFinished) with { Status = RunStatus.Succeeded }], Ct);

        Assert.Equal([1L, 2L], first.Select(e => e.Sequence));
        Assert.Equal([3L], second.Select(e => e.Sequence));
        Assert.Empty(none);
        Assert.Equal([4L], third.Select(e => e.Sequence));
        var journal = await Runs.ReadJournalAsync(run.Id, 0, Ct);
        Assert.Equal([1L, 2L, 3L, 4L], journal.Select(e => e.Sequence));
        Assert.Equal([JournalEventTypes.RunStarted, JournalEventTypes.StepStarted, JournalEventTypes.StepSucceeded, JournalEventTypes.RunFinished], journal.Select(e => e.Type));
    }

    [Fact]
    public async Task Append_SequencesArePerRun()
    {
        var a = await CreateAsync(NewRun());
        var b = await CreateAsync(NewRun());

        await Runs.AppendAsync(a.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.Log)], Ct);
        var appended = await Runs.AppendAsync(b.Id, [Event(JournalEventTypes.RunStarted)], Ct);

        Assert.Equal(1L, appended[0].Sequence);
    }

    [Fact]
    public async Task ReadJournal_AfterSequence_ReturnsOnlyLaterEventsInOrder()
    {
        var run = await CreateAsync(NewRun());
        await Runs.AppendAsync(run.Id, Enumerable.Range(0, 5).Select(i => Event(JournalEventTypes.Log) with { Message = $"line {i}" }).ToList(), Ct);

        var later = await Runs.ReadJournalAsync(run.Id, 3, Ct);

        Assert.Equal([(4L, "line 3"), (5L, "line 4")], later.Select(e => (e.Sequence, e.Message)));
        Assert.Empty(await Runs.ReadJournalAsync(run.Id, 5, Ct));
    }

    [Fact]
    public async Task AppendAndReadJournal_UnknownRun_ThrowKeyNotFound()
    {
        var append = await Assert.ThrowsAsync<KeyNotFoundException>(() => Runs.AppendAsync("nope", [Event(JournalEventTypes.Log)], Ct));
        var read = await Assert.ThrowsAsync<KeyNotFoundException>(() => Runs.ReadJournalAsync("nope", 0, Ct));

        Assert.Equal("no run with id 'nope'", append.Message);
        Assert.Equal("no run with id 'nope'", read.Message);
    }

    [Fact]
    public async Task Append_EveryField_RoundTrips()
    {
        var run = await CreateAsync(NewRun());
        var waiting = new JournalEvent
        {
            Type = JournalEventTypes.StepWaiting,
            Time = Time.GetUtcNow(),
            Path = "steps[2]/loop[1]",
            StepId = "approve",
            Activity = "wait",
            Host = "web-1",
            Message = "waiting for approval",
            Wait = new WaitRequest("approved", "approval", "Approve the prod deploy", Time.GetUtcNow().AddHours(1)),
            Attempt = 2,
            Actor = "bob",
        };
        var failed = new JournalEvent
        {
            Type = JournalEventTypes.RunFinished,
            Time = Time.GetUtcNow(),
            Error = new ErrorInfo("timeout", "step took longer than 5m", "steps[3]"),
            Status = RunStatus.Failed,
            Signal = "approved",
        };

        await Runs.AppendAsync(run.Id, [waiting, failed], Ct);
        var journal = await Runs.ReadJournalAsync(run.Id, 0, Ct);

        Assert.Equivalent(waiting with { Sequence = 1 }, journal[0], strict: true);
        Assert.Equivalent(failed with { Sequence = 2 }, journal[1], strict: true);
    }

    [Fact]
    public async Task Append_PlainValues_ReadBackAsTheSamePlainTypes()
    {
        var run = await CreateAsync(NewRun());
        var value = new Dictionary<string, object?>
        {
            ["text"] = "héllo \"quoted\"",
            ["count"] = 9_007_199_254_740_993L,
            ["negative"] = -12L,
            ["ratio"] = 0.25,
            ["whole_double"] = 1.0,
            ["flag"] = true,
            ["off"] = false,
            ["nothing"] = null,
            ["list"] = new List<object?> { 1L, "two", 3.5, null, new List<object?> { false } },
            ["nested"] = new Dictionary<string, object?> { ["inner"] = new Dictionary<string, object?> { ["deep"] = new List<object?>() } },
        };

        await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.StepSucceeded, "0") with { Inputs = value, Outputs = value, Payload = 42L }], Ct);
        var read = (await Runs.ReadJournalAsync(run.Id, 0, Ct)).Single();

        foreach (var roundTripped in new[] { read.Inputs, read.Outputs })
        {
            var map = Assert.IsType<Dictionary<string, object?>>(roundTripped);
            Assert.Equal(value.Keys.Order(), map.Keys.Order());
            Assert.Equal("héllo \"quoted\"", Assert.IsType<string>(map["text"]));
            Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(map["count"]));
            Assert.Equal(-12L, Assert.IsType<long>(map["negative"]));
            Assert.Equal(0.25, Assert.IsType<double>(map["ratio"]));
            Assert.Equal(1.0, Assert.IsType<double>(map["whole_double"]));
            Assert.True(Assert.IsType<bool>(map["flag"]));
            Assert.False(Assert.IsType<bool>(map["off"]));
            Assert.Null(map["nothing"]);
            var list = Assert.IsType<List<object?>>(map["list"]);
            Assert.Equal(1L, Assert.IsType<long>(list[0]));
            Assert.Equal("two", Assert.IsType<string>(list[1]));
            Assert.Equal(3.5, Assert.IsType<double>(list[2]));
            Assert.Null(list[3]);
            Assert.False(Assert.IsType<bool>(Assert.IsType<List<object?>>(list[4])[0]));
            var inner = Assert.IsType<Dictionary<string, object?>>(Assert.IsType<Dictionary<string, object?>>(map["nested"])["inner"]);
            Assert.Empty(Assert.IsType<List<object?>>(inner["deep"]));
        }

        Assert.Equal(42L, Assert.IsType<long>(read.Payload));
    }

    [Fact]
    public async Task TryAcquireKey_Free_TakesItAndReportsTheHolderToOthers()
    {
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", "run-1", Ct));

        Assert.Equal("run-1", await Runs.TryAcquireKeyAsync("prod", "run-2", Ct));
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", "run-1", Ct));
        Assert.Null(await Runs.TryAcquireKeyAsync("staging", "run-2", Ct));
    }

    [Fact]
    public async Task ReleaseKey_ByHolder_FreesItAndByOthersDoesNothing()
    {
        await Runs.TryAcquireKeyAsync("prod", "run-1", Ct);

        await Runs.ReleaseKeyAsync("prod", "run-2", Ct);
        Assert.Equal("run-1", await Runs.TryAcquireKeyAsync("prod", "run-2", Ct));

        await Runs.ReleaseKeyAsync("prod", "run-1", Ct);
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", "run-2", Ct));
        Assert.Equal("run-2", await Runs.TryAcquireKeyAsync("prod", "run-1", Ct));
    }

    // The kill test found it: a process killed between a run's finished status and its key release
    // left the key held by a finished run, and every later run for the key queued for ever.
    [Theory]
    [InlineData(RunStatus.Succeeded)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public async Task TryAcquireKey_HeldByARunThatFinishedWithoutReleasing_IsFreeForTheNextRun(RunStatus ended)
    {
        var dead = await CreateAsync(NewRun());
        var next = await CreateAsync(NewRun());
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", dead.Id, Ct));
        Assert.Equal(dead.Id, await Runs.TryAcquireKeyAsync("prod", next.Id, Ct));

        await Runs.UpdateStatusAsync(dead.Id, ended, null, Ct);

        Assert.Null(await Runs.TryAcquireKeyAsync("prod", next.Id, Ct));
        Assert.Equal(next.Id, await Runs.TryAcquireKeyAsync("prod", dead.Id, Ct));
    }

    private async Task<List<string>> IdsAsync(RunQuery query) => (await Runs.ListRunsAsync(query, Ct)).Select(r => r.Id).ToList();
}
