using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable;

/// <summary>
/// <c>on.schedule</c> in a real <c>gantry serve</c> and a real <c>gantry worker</c> sharing one PostgreSQL
/// store: both look at the same schedule, and each tick starts one run, started by one node and executed once.
/// </summary>
/// <remarks>
/// The processes read the system clock (the scheduler's <see cref="TimeProvider"/> has no outside hook, and a
/// test-only clock in the shipped binary is not worth it), and cron's finest tick is a minute: the test waits
/// for two real ticks, up to about two minutes.
/// </remarks>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresScheduleTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Ticker = """
        id: ticker
        on:
          schedule: { cron: "* * * * *" }
        steps:
          - id: hello
            uses: log
            with: { message: "tick" }
        """;

    private readonly List<GantryProcess> _nodes = [];
    private string _db = "";
    private DurableWorkspace _workspace = null!;

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateSchemaAsync();
        _workspace = await DurableWorkspace.CreateAsync(_db);
        _workspace.Write("workflows/ticker.yaml", Ticker);
    }

    public async Task DisposeAsync()
    {
        _nodes.ForEach(n => n.Dispose());
        await _workspace.DisposeAsync();
        await postgres.DropSchemaAsync(_db);
    }

    [Fact]
    public async Task EveryMinuteCron_OnAServerAndAWorker_OneRunPerTickStartedByOneNodeAndRunOnce()
    {
        var server = Start("serve", "--urls", "http://127.0.0.1:0");
        var worker = Start("worker", "--node-id", "worker-b", "--poll", "200ms");

        IReadOnlyList<RunRecord> runs = [];
        await DurableWorkspace.WaitForAsync(
            async () =>
            {
                runs = await _workspace.Runs.ListRunsAsync(new RunQuery { WorkflowId = "ticker" }, CancellationToken.None);
                return runs.Count(r => r.IsFinished && StartedBy(r.Id).Length > 0) >= 2;
            },
            TimeSpan.FromSeconds(200),
            () => $"two ticks of the schedule to run (runs: {string.Join(", ", runs.Select(r => $"{r.Id} {r.Status}"))}; nodes said: {NodesSaid()})");

        var ticks = new List<string>();
        foreach (var run in runs.Where(r => r.IsFinished))
        {
            var journal = await _workspace.JournalAsync(run.Id);
            Assert.Equal(RunStatus.Succeeded, run.Status);
            Assert.Equal("schedule:* * * * *", run.Trigger);
            Assert.Equal(["hello"], journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).Select(e => e.StepId));
            Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
            ticks.Add(TickOf(journal));
            // Both nodes looked at the tick; the store's key on the tick's run id let only one start it.
            Assert.True(StartedBy(run.Id).Length == 1, $"run {run.Id} was reported started by {StartedBy(run.Id).Length} nodes: {NodesSaid()}");
        }

        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        // Every tick is a whole minute (cron's "* * * * *").
        Assert.All(ticks, tick => Assert.Equal(0, DateTimeOffset.Parse(tick, CultureInfo.InvariantCulture).TimeOfDay.Ticks % TimeSpan.TicksPerMinute));
        Assert.False(server.HasExited, NodesSaid());
        Assert.False(worker.HasExited, NodesSaid());
        Assert.DoesNotContain(_nodes.SelectMany(n => n.Output), line => line.Contains("could not start", StringComparison.Ordinal));
    }

    private GantryProcess Start(params string[] args)
    {
        var node = _workspace.Start(args);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// The nodes whose output says they started the run: the server logs "schedules: started ticker for tick … as run ID",
    /// the worker prints "schedule * * * * * started ticker for … as run ID" (wrapped at the console's width).
    /// </summary>
    private GantryProcess[] StartedBy(string runId) =>
        _nodes.Where(n => Regex.IsMatch(string.Join(' ', n.Output), $@"started\s+ticker\s+for\s+\S+\s+\S+\s+as\s+run\s+{runId}\b")).ToArray();

    private static string TickOf(IReadOnlyList<JournalEvent> journal)
    {
        var triggered = journal.First(e => e.Type == JournalEventTypes.RunTriggered);
        return JsonSerializer.SerializeToElement(triggered.Payload).GetProperty("tick").GetString() ?? "";
    }

    private string NodesSaid() => string.Join(" | ", _nodes.SelectMany(n => n.Output));
}
