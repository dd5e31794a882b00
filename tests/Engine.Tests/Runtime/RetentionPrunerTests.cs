using System.Threading.Channels;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Engine.Tests.Runtime;

public sealed class RetentionPrunerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-retention-").FullName;
    private readonly FakeTimeProvider _time = new(Start);
    private StoreSet _stores = null!;

    public async Task InitializeAsync() => _stores = await RunStoreFactory.OpenAsync(null, _folder, _time, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _stores.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_FakeClock_PrunesOldFinishedRunsAtStartAndHourlyAndKeepsUnfinishedOnes()
    {
        foreach (var (id, status) in new[] { ("old-succeeded", RunStatus.Succeeded), ("old-failed", RunStatus.Failed), ("old-cancelled", RunStatus.Cancelled) })
        {
            await CreateAsync(id, RunStatus.Running);
            await _stores.Runs.UpdateStatusAsync(id, status, null, CancellationToken.None);
        }

        await CreateAsync("old-running", RunStatus.Running);
        await CreateAsync("old-waiting", RunStatus.Waiting);
        await CreateAsync("old-pending", RunStatus.Pending);
        _time.Advance(TimeSpan.FromMinutes(30));
        await CreateAsync("recent", RunStatus.Running);
        await _stores.Runs.UpdateStatusAsync("recent", RunStatus.Succeeded, null, CancellationToken.None);
        _time.SetUtcNow(Start + TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var pruned = Channel.CreateUnbounded<(int Count, DateTimeOffset Cutoff)>();
        var pruner = new RetentionPruner(_stores.Retention, TimeSpan.FromDays(30), _time) { Pruned = (count, cutoff) => pruned.Writer.TryWrite((count, cutoff)) };
        using var stop = new CancellationTokenSource();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var running = pruner.RunAsync(stop.Token);
        var first = await pruned.Reader.ReadAsync(bound.Token);
        var afterFirst = await RemainingAsync();
        _time.Advance(TimeSpan.FromHours(1));
        var second = await pruned.Reader.ReadAsync(bound.Token);
        var afterSecond = await RemainingAsync();
        await stop.CancelAsync();
        await running;

        Assert.Equal((3, Start + TimeSpan.FromMinutes(1)), first);
        Assert.Equal(["old-pending", "old-running", "old-waiting", "recent"], afterFirst);
        Assert.Equal((1, Start + TimeSpan.FromMinutes(61)), second);
        Assert.Equal(["old-pending", "old-running", "old-waiting"], afterSecond);
    }

    [Fact]
    public async Task RunAsync_PruneFails_ReportsItAndPrunesAgainAtTheNextTick()
    {
        var store = new FailingOnceRetention();
        var failures = new List<string>();
        var pruned = Channel.CreateUnbounded<int>();
        var pruner = new RetentionPruner(store, TimeSpan.FromDays(30), _time)
        {
            Failed = ex => failures.Add(ex.Message),
            Pruned = (count, _) => pruned.Writer.TryWrite(count),
        };
        using var stop = new CancellationTokenSource();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var running = pruner.RunAsync(stop.Token);
        await store.FirstCall.Task.WaitAsync(bound.Token);
        _time.Advance(RetentionPruner.Interval);
        var count = await pruned.Reader.ReadAsync(bound.Token);
        await stop.CancelAsync();
        await running;

        Assert.Equal(["store unreachable"], failures);
        Assert.Equal(7, count);
    }

    [Fact]
    public async Task RunAsync_PruneFails_LogsTheWholeExceptionAsAWarning()
    {
        var store = new FailingOnceRetention();
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var pruned = Channel.CreateUnbounded<int>();
        var pruner = new RetentionPruner(store, TimeSpan.FromDays(30), _time, factory.CreateLogger<RetentionPruner>())
        {
            Pruned = (count, _) => pruned.Writer.TryWrite(count),
        };
        using var stop = new CancellationTokenSource();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var running = pruner.RunAsync(stop.Token);
        await store.FirstCall.Task.WaitAsync(bound.Token);
        _time.Advance(RetentionPruner.Interval);
        await pruned.Reader.ReadAsync(bound.Token);
        await stop.CancelAsync();
        await running;

        var entry = Assert.Single(logs.Entries);
        Assert.Equal(typeof(RetentionPruner).FullName, entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Retention prune (keeping runs for 30.00:00:00) failed; tried again in 01:00:00", entry.Message);
        Assert.Equal("store unreachable", Assert.IsType<InvalidOperationException>(entry.Exception).Message);
    }

    [Theory]
    [InlineData("30d", 30 * 24.0)]
    [InlineData("12h", 12.0)]
    [InlineData("0", null)]
    [InlineData("off", null)]
    public void TryParse_DurationOrOff_ReturnsTheRetention(string text, double? hours)
    {
        Assert.True(RetentionPruner.TryParse(text, out var keep));
        Assert.Equal(hours is { } h ? TimeSpan.FromHours(h) : null, keep);
    }

    [Fact]
    public void Resolve_BadOption_ThrowsNamingTheValueAndWhatIsExpected()
    {
        var error = Assert.Throws<ArgumentException>(() => RetentionPruner.Resolve("forever"));

        Assert.Equal("--retention 'forever' is not a retention; expected a duration such as 30d, or 0 or off to keep runs for ever", error.Message);
    }

    private async Task CreateAsync(string id, RunStatus status)
    {
        await _stores.Runs.CreateRunAsync(new RunRecord
        {
            Id = id,
            WorkflowId = "deploy",
            Definitions = new Dictionary<string, string> { ["deploy"] = "steps: []\n" },
            Status = status,
            CreatedAt = _time.GetUtcNow(),
            UpdatedAt = _time.GetUtcNow(),
        }, CancellationToken.None);
    }

    private async Task<string[]> RemainingAsync() =>
        (await _stores.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None)).Select(r => r.Id).Order(StringComparer.Ordinal).ToArray();

    private sealed class FailingOnceRetention : IRunRetention
    {
        public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int> PruneAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
        {
            if (FirstCall.TrySetResult())
            {
                throw new InvalidOperationException("store unreachable");
            }

            return Task.FromResult(7);
        }
    }
}
