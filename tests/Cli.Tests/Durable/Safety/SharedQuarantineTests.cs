using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable.Safety;

/// <summary>
/// SQLite: a host quarantined by a <c>gantry run</c> process is kept out by the load-balancer step of a run
/// <c>gantry serve</c> executes on the same workspace, and released by an <c>lb.ready</c> run of the CLI.
/// </summary>
public sealed class SqliteSharedQuarantineTests
{
    [Fact]
    public async Task HostQuarantinedByACliRun_IsKeptOutByTheServersRunUntilLbReady()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        await SharedQuarantineScenario.RunAsync(workspace, workspace, nodeAIsWorker: false);
    }
}

/// <summary>
/// PostgreSQL: two machines (own workspaces and data folders) on one database and one load balancer. A host
/// quarantined by a run a <c>gantry worker</c> executed on machine A is kept out by the load-balancer step of a
/// run <c>gantry serve</c> executes on machine B, shown by <c>gantry status</c> there, and released by an
/// <c>lb.ready</c> run on machine A. (Before store migration 5 machine B knew nothing of it and brought it live.)
/// </summary>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresSharedQuarantineTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateSchemaAsync();

    public async Task DisposeAsync() => await postgres.DropSchemaAsync(_db);

    [Fact]
    public async Task HostQuarantinedByAWorkerOnMachineA_IsKeptOutByTheServerOnMachineBUntilLbReady()
    {
        await using var machineA = await DurableWorkspace.CreateAsync(_db);
        await using var machineB = await DurableWorkspace.CreateAsync(_db);
        SafetyNodes.ShareSandbox(machineA, machineB);
        await SharedQuarantineScenario.RunAsync(machineA, machineB, nodeAIsWorker: true);
    }
}

/// <summary>The scenario both stores run: node A quarantines web2, node B honours it, node A releases it.</summary>
internal static class SharedQuarantineScenario
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(DurableWorkspace a, DurableWorkspace b, bool nodeAIsWorker)
    {
        SafetyNodes.WriteWorkflows(a);
        if (b != a)
        {
            SafetyNodes.WriteWorkflows(b);
        }

        // Node A: the rollout fails on web2 and cannot put it back: web2 is quarantined, in the store.
        var rollout = await RunOnNodeAAsync(a, nodeAIsWorker, "rolling-deploy");
        Assert.True(rollout.Status == RunStatus.Failed, $"{rollout.Status}: {rollout.Message}");
        Assert.EndsWith(". QUARANTINED (left out of rotation until lb.ready on it or a deploy that succeeds on it): web2", rollout.Message, StringComparison.Ordinal);
        Assert.Equal("Maint", SafetyNodes.AdminStates(a)["web2"]);
        Assert.False(Directory.Exists(Path.Combine(a.Root, ".gantry", "quarantine")), "quarantine written to a file of node A's data folder");
        await using (var stores = await RunStoreFactory.OpenAsync(a.Db, a.Root, TimeProvider.System, CancellationToken.None))
        {
            var quarantined = Assert.Single(await stores.Quarantine.ListAsync("sandbox", CancellationToken.None));
            Assert.Equal(("web2", rollout.Id), (quarantined.Host, quarantined.Run));
        }

        // Node B: a server (on this or another machine) executes lb.all; web2 stays out.
        var operatorToken = await SafetyNodes.CreateTokenAsync(b, "node-b-operator", "operator");
        var (server, address) = await SafetyNodes.StartServerAsync(b);
        using (server)
        using (var client = SafetyNodes.Client(address, operatorToken))
        {
            var kept = await RunOnServerAsync(b, client, "restore-only");
            Assert.Equal(["web2"], QuarantinedOutput(await b.JournalAsync(kept.Id)));
            Assert.Equal("Maint", SafetyNodes.AdminStates(b)["web2"]);
            Assert.All(SafetyNodes.AdminStates(b).Where(s => s.Key != "web2"), s => Assert.Equal("Ready", s.Value));

            var (_, status) = await b.RunAsync("status", "--env", "sandbox", "--output", "json");
            Assert.Contains($"QUARANTINED by run {rollout.Id} since ", status, StringComparison.Ordinal);

            // Node A: someone checked web2; lb.ready on it releases it for every node.
            var ready = await RunOnNodeAAsync(a, nodeAIsWorker: false, "ready-web2");
            Assert.True(ready.Status == RunStatus.Succeeded, $"{ready.Status}: {ready.Message}");

            var released = await RunOnServerAsync(b, client, "restore-only");
            Assert.Empty(QuarantinedOutput(await b.JournalAsync(released.Id)));
            Assert.All(SafetyNodes.AdminStates(b), s => Assert.Equal("Ready", s.Value));
        }
    }

    /// <summary>Runs the workflow on node A: an attached <c>gantry run</c>, or a detached one a <c>gantry worker</c> of machine A executes.</summary>
    private static async Task<RunRecord> RunOnNodeAAsync(DurableWorkspace a, bool nodeAIsWorker, string workflow)
    {
        if (!nodeAIsWorker)
        {
            var (_, output) = await a.RunAsync("run", workflow, "--env", "sandbox");
            return await LatestRunAsync(a, workflow, output);
        }

        using var worker = a.Start("worker", "--node-id", "node-a", "--poll", "100ms");
        var (exitCode, detached) = await a.RunAsync("run", workflow, "--env", "sandbox", "--detach");
        Assert.True(exitCode == 0, detached);
        var id = (await LatestRunAsync(a, workflow, detached)).Id;
        return await WaitFinishedAsync(a, id, () => string.Join(" | ", worker.Output));
    }

    private static async Task<RunRecord> RunOnServerAsync(DurableWorkspace b, HttpClient client, string workflow)
    {
        var id = await SafetyNodes.StartRunAsync(client, workflow);
        var run = await WaitFinishedAsync(b, id, () => "");
        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.Message}");
        return run;
    }

    private static async Task<RunRecord> LatestRunAsync(DurableWorkspace workspace, string workflow, string output)
    {
        var runs = await workspace.Runs.ListRunsAsync(new RunQuery { Limit = 20 }, CancellationToken.None);
        return runs.FirstOrDefault(r => r.WorkflowId == workflow) ?? throw new InvalidOperationException($"no run of {workflow} in the store; gantry said: {output}");
    }

    private static async Task<RunRecord> WaitFinishedAsync(DurableWorkspace workspace, string id, Func<string> said)
    {
        RunRecord? run = null;
        await DurableWorkspace.WaitForAsync(
            async () => (run = await workspace.Runs.GetRunAsync(id, CancellationToken.None)) is { IsFinished: true },
            RunTimeout,
            () => $"run {id} to finish (it is {run?.Status}; {said()})");
        return run!;
    }

    /// <summary>The <c>quarantined</c> output of the run's lb.all step.</summary>
    private static IReadOnlyList<string?> QuarantinedOutput(IReadOnlyList<JournalEvent> journal)
    {
        var step = journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "lb.all");
        return ((IEnumerable<object?>)((IReadOnlyDictionary<string, object?>)step.Outputs!)["quarantined"]!).Select(s => s?.ToString()).ToList();
    }
}
