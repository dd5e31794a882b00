using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Cli.Tests.Durable;

/// <summary>Several <c>gantry worker</c> processes sharing one PostgreSQL store, as several machines would.</summary>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresNodesTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Slow = """
        id: slow
        steps:
          - id: first
            uses: log
            with: { message: "first" }
          - id: work
            uses: shell.local
            with: { command: [sleep, "2"] }
          - id: last
            uses: log
            with: { message: "last" }
        """;

    private const string Approval = """
        id: approval
        steps:
          - id: ask
            uses: log
            with: { message: "asking" }
          - id: gate
            uses: wait
            with: { signal: go }
          - id: done
            uses: log
            with: { message: "done" }
        """;

    private const string Keyed = """
        id: keyed
        concurrency: prod
        steps:
          - id: work
            uses: shell.local
            with: { command: [sleep, "0.3"] }
        """;

    private readonly List<GantryProcess> _nodes = [];
    private string _db = "";
    private DurableWorkspace _workspace = null!;

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateSchemaAsync();
        _workspace = await DurableWorkspace.CreateAsync(_db);
        _workspace.Write("workflows/slow.yaml", Slow);
        _workspace.Write("workflows/approval.yaml", Approval);
        _workspace.Write("workflows/keyed.yaml", Keyed);
    }

    public async Task DisposeAsync()
    {
        _nodes.ForEach(n => n.Dispose());
        await _workspace.DisposeAsync();
        await postgres.DropSchemaAsync(_db);
    }

    [Fact]
    public async Task ThreeNodes_OneKilledMidRun_OthersTakeItsRunsOverAndEveryRunSucceedsOnce()
    {
        var runs = await StartAsync(Slow, 8);

        // node-a starts alone, so it is sure to hold runs when it dies: started together on a busy
        // machine, the other two nodes once finished all six runs before node-a had claimed one.
        var nodeA = StartNode("node-a");
        await WaitForMidRunAsync(nodeA, "node-a to be in the middle of a run");
        var others = new[] { StartNode("node-b"), StartNode("node-c") };
        await DurableWorkspace.WaitForAsync(
            () => Task.FromResult(others.Any(n => ClaimedBy(n).Length > 0) || runs.All(id => ClaimedBy(nodeA).Contains(id))),
            TimeSpan.FromSeconds(60),
            () => $"node-b or node-c to claim a run (nodes said: {NodesSaid()})");
        var heldByA = await KillMidRunAsync(nodeA);
        var killedAt = DateTimeOffset.UtcNow;

        await WaitFinishedAsync(runs);

        // The runs node-a held that another node finished. Read at the end, not at the kill: on a busy
        // machine node-a (or this test) may stall past the lease, and the takeover comes first.
        var interrupted = heldByA.Where(id => _nodes.Skip(1).Any(n => ClaimedBy(n).Contains(id))).ToList();
        Assert.NotEmpty(interrupted);
        foreach (var id in runs)
        {
            await AssertSucceededOnceAsync(id, ["first", "work", "last"]);
        }

        foreach (var id in interrupted)
        {
            var journal = await _workspace.JournalAsync(id);
            var resumed = journal.Last(e => e.Type == JournalEventTypes.RunResumed);
            Assert.True(resumed.Time - killedAt < TimeSpan.FromSeconds(15), $"run {id} was resumed {(resumed.Time - killedAt).TotalSeconds:F1} s after its node died; the lease is {DurableWorkspace.Lease}");
        }
    }

    [Fact]
    public async Task SignalFromAThirdProcess_ReachesARunANodeStarted_AndTheRunContinuesOnce()
    {
        var run = (await StartAsync(Approval, 1))[0];
        StartNode("node-a");
        StartNode("node-b");
        await DurableWorkspace.WaitForAsync(
            async () => (await _workspace.Runs.GetRunAsync(run, CancellationToken.None))!.Status == RunStatus.Waiting,
            TimeSpan.FromSeconds(60),
            "the run to wait for its signal");

        var (exitCode, output) = await _workspace.RunAsync("runs", "signal", run, "go");
        await WaitFinishedAsync([run]);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"signal go delivered to {run}", output, StringComparison.Ordinal);
        await AssertSucceededOnceAsync(run, ["ask", "gate", "done"]);
        Assert.Single(await _workspace.JournalAsync(run), e => e.Type == JournalEventTypes.StepResumed);
    }

    [Fact]
    public async Task ConcurrencyKey_HeldAcrossNodes_RunsOneAtATime()
    {
        var runs = await StartAsync(Keyed, 3);
        StartNode("node-a");
        StartNode("node-b");

        await WaitFinishedAsync(runs);

        var windows = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var id in runs)
        {
            await AssertSucceededOnceAsync(id, ["work"]);
            var journal = await _workspace.JournalAsync(id);
            windows.Add((journal.Single(e => e.Type == JournalEventTypes.RunStarted).Time, journal.Single(e => e.Type == JournalEventTypes.RunFinished).Time));
        }

        var ordered = windows.OrderBy(w => w.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i].Start >= ordered[i - 1].End, $"run {i} started at {ordered[i].Start:O} while the previous holder of the key ran until {ordered[i - 1].End:O}");
        }
    }

    /// <summary>Waits until <paramref name="node"/> has a run between the start and the end of its sleeping step; returns the runs it claimed.</summary>
    /// <summary>
    /// Kills the node while it is certainly in the middle of a run: frozen first, then its journal read again.
    /// Killed right after a poll saw it mid-run, a node stalled on a busy machine could end that run in between
    /// and die holding none, and no run was taken over (a fresh-clone run failed so).
    /// </summary>
    private async Task<string[]> KillMidRunAsync(GantryProcess node)
    {
        while (true)
        {
            await WaitForMidRunAsync(node, "node-a to be in the middle of a run again");
            await _workspace.PauseOutsideStoreWriteAsync(node);
            if (await IsMidRunAsync(node))
            {
                node.Kill();
                return ClaimedBy(node);
            }

            node.Continue();
        }
    }

    private async Task<bool> IsMidRunAsync(GantryProcess node)
    {
        foreach (var id in ClaimedBy(node))
        {
            var journal = await _workspace.JournalAsync(id);
            if (journal.Any(e => e.Type == JournalEventTypes.StepStarted && e.StepId == "work")
                && !journal.Any(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "work"))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<string[]> WaitForMidRunAsync(GantryProcess node, string what)
    {
        string[] claimed = [];
        await DurableWorkspace.WaitForAsync(
            async () =>
            {
                claimed = ClaimedBy(node);
                return await IsMidRunAsync(node);
            },
            TimeSpan.FromSeconds(60),
            () => $"{what} (nodes said: {NodesSaid()})");
        return claimed;
    }

    private string NodesSaid() => string.Join(" | ", _nodes.SelectMany(n => n.Output));

    private GantryProcess StartNode(string name)
    {
        var node = _workspace.Start("worker", "--node-id", name, "--poll", "100ms", "--max-runs", "2");
        _nodes.Add(node);
        return node;
    }

    private static string[] ClaimedBy(GantryProcess node) =>
        node.Output.Select(line => line.IndexOf("claimed run ", StringComparison.Ordinal) is var at and >= 0 ? line[(at + "claimed run ".Length)..].Split(' ')[0] : null)
            .OfType<string>().Distinct().ToArray();

    private async Task<List<string>> StartAsync(string workflowText, int count)
    {
        await using var services = CliServices.Create().AddSingleton(_workspace.Runs).AddGantryEngine(o => o.ResumeInProcess = false).BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        var workflow = DocumentLoader.LoadWorkflow(workflowText, "workflow.yaml").GetOrThrow();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await engine.StartAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None)).Id);
        }

        return ids;
    }

    private async Task WaitFinishedAsync(IReadOnlyList<string> runs) =>
        await DurableWorkspace.WaitForAsync(
            async () =>
            {
                foreach (var id in runs)
                {
                    if (!(await _workspace.Runs.GetRunAsync(id, CancellationToken.None))!.IsFinished)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(90),
            () => $"every run to finish (nodes said: {NodesSaid()})");

    private async Task AssertSucceededOnceAsync(string runId, string[] steps)
    {
        var run = await _workspace.Runs.GetRunAsync(runId, CancellationToken.None);
        var journal = await _workspace.JournalAsync(runId);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        Assert.Equal(steps, journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).Select(e => e.StepId));
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
    }
}
