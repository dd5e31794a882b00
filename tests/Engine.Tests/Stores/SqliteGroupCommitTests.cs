using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// Concurrent run-store writes of one process share a transaction and a commit (group commit). The
/// writes below are queued while the test holds the file's writer gate, so they are certain to land
/// in one batch when it lets go: each must still succeed or fail on its own, and be committed
/// (visible to a fresh connection) when its task completes.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-sqlite-batch-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private StoreSet _stores = null!;

    private static CancellationToken Ct => CancellationToken.None;

    private SqliteRunStore Store => (SqliteRunStore)_stores.Runs;

    public async Task InitializeAsync() => _stores = await RunStoreFactory.OpenAsync(null, _folder, _time, Ct);

    public async Task DisposeAsync()
    {
        await _stores.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ConcurrentAppendsOfManyRuns_OneBatch_AllCommittedGapFreeAndVisibleToAnotherConnection()
    {
        var runs = await CreateRunsAsync(20);
        Task<IReadOnlyList<JournalEvent>>[] appends;
        await using (await Store.Database.OpenWriterAsync(Ct))
        {
            appends = runs.SelectMany(run => Enumerable.Range(0, 5).Select(i => Store.AppendAsync(run, [Event($"step-{i}"), Event($"step-{i}")], Ct))).ToArray();
            Assert.All(appends, a => Assert.False(a.IsCompleted));
        }

        await Task.WhenAll(appends);

        var fresh = new SqliteRunStore(Store.Database.Path, _time);
        foreach (var run in runs)
        {
            var journal = await fresh.ReadJournalAsync(run, 0, Ct);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), journal.Select(e => e.Sequence));
        }
    }

    [Fact]
    public async Task AStaleFencedWriteInABatch_FailsAlone_AndLeavesNothingBehind()
    {
        var runs = await CreateRunsAsync(3);
        var stale = (await Store.TryClaimRunAsync(runs[0], "node-a", Lease, Ct))!;
        var current = (await Store.TryClaimRunAsync(runs[0], "node-a", Lease, Ct))!;
        Task<IReadOnlyList<JournalEvent>> staleAppend, currentAppend, otherAppend;
        Task<RunRecord> staleUpdate;
        await using (await Store.Database.OpenWriterAsync(Ct))
        {
            otherAppend = Store.AppendAsync(runs[1], [Event("before")], Ct);
            staleAppend = Store.Fenced(stale).AppendAsync(runs[0], [Event("stale")], Ct);
            staleUpdate = Store.Fenced(stale).UpdateStatusAsync(runs[0], RunStatus.Failed, "stale node", Ct);
            currentAppend = Store.Fenced(current).AppendAsync(runs[0], [Event("current")], Ct);
        }

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => staleAppend);
        await Assert.ThrowsAsync<LeaseLostException>(() => staleUpdate);
        Assert.Equal((1L, 2L), (stale.Generation, current.Generation));
        Assert.Contains("node node-a holds it now (generation 2)", lost.Message, StringComparison.Ordinal);
        var fresh = new SqliteRunStore(Store.Database.Path, _time);
        Assert.Equal([(1L, "current")], (await currentAppend).Select(e => (e.Sequence, e.StepId!)));
        Assert.Equal([(1L, "current")], (await fresh.ReadJournalAsync(runs[0], 0, Ct)).Select(e => (e.Sequence, e.StepId!)));
        Assert.Equal(RunStatus.Pending, (await fresh.GetRunAsync(runs[0], Ct))!.Status);
        Assert.Equal([(1L, "before")], (await otherAppend).Select(e => (e.Sequence, e.StepId!)));
    }

    [Fact]
    public async Task AWriteCancelledWhileQueued_IsNotCommitted_AndTheOthersAre()
    {
        var runs = await CreateRunsAsync(2);
        using var cancel = new CancellationTokenSource();
        Task<IReadOnlyList<JournalEvent>> cancelled, kept;
        await using (await Store.Database.OpenWriterAsync(Ct))
        {
            cancelled = Store.AppendAsync(runs[0], [Event("cancelled")], cancel.Token);
            kept = Store.AppendAsync(runs[1], [Event("kept")], Ct);
            await cancel.CancelAsync();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal([(1L, "kept")], (await kept).Select(e => (e.Sequence, e.StepId!)));
        var fresh = new SqliteRunStore(Store.Database.Path, _time);
        Assert.Empty(await fresh.ReadJournalAsync(runs[0], 0, Ct));
        Assert.Single(await fresh.ReadJournalAsync(runs[1], 0, Ct));
    }

    [Fact]
    public async Task ADuplicateRunInABatch_FailsAlone()
    {
        var existing = (await CreateRunsAsync(1))[0];
        Task duplicate, created;
        await using (await Store.Database.OpenWriterAsync(Ct))
        {
            duplicate = Store.CreateRunAsync(Run(existing), Ct);
            created = Store.CreateRunAsync(Run("run-new"), Ct);
        }

        var error = await Assert.ThrowsAsync<RunAlreadyExistsException>(() => duplicate);
        Assert.Equal(existing, error.RunId);
        await created;
        Assert.NotNull(await new SqliteRunStore(Store.Database.Path, _time).GetRunAsync("run-new", Ct));
    }

    [Fact]
    public async Task AWriteAloneThatFailsHalfway_CommitsNothingOfIt()
    {
        // A batch of one write runs without a savepoint: its transaction is what must roll back. The run's row is
        // inserted before its first event fails to serialize.
        var cyclic = new Dictionary<string, object?>();
        cyclic["self"] = cyclic;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateRunAsync(Run("half"), [Event("trigger") with { Payload = cyclic }], Ct));

        Assert.Contains("cycle", error.Message, StringComparison.OrdinalIgnoreCase);
        var fresh = new SqliteRunStore(Store.Database.Path, _time);
        Assert.Null(await fresh.GetRunAsync("half", Ct));
        await Store.CreateRunAsync(Run("half"), [Event("trigger")], Ct);
        Assert.Equal([1L], (await fresh.ReadJournalAsync("half", 0, Ct)).Select(e => e.Sequence));
    }

    private async Task<List<string>> CreateRunsAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"run-{i:D3}").ToList();
        foreach (var id in ids)
        {
            await Store.CreateRunAsync(Run(id), Ct);
        }

        return ids;
    }

    private RunRecord Run(string id) => new()
    {
        Id = id,
        WorkflowId = "deploy",
        Definitions = new Dictionary<string, string> { ["deploy"] = "steps: []\n" },
        Inputs = new Dictionary<string, object?>(),
        Status = RunStatus.Pending,
        Trigger = "cli",
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    private JournalEvent Event(string step) => new() { Type = JournalEventTypes.StepStarted, Time = _time.GetUtcNow(), Path = step, StepId = step };
}
