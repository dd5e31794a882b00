using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// A workflow.call takes the called workflow's concurrency key: it waits for another run that holds it, inherits
/// it from a caller (or an enclosing call) that holds it, releases it when the call ends, and promotes the runs
/// queued behind it. The holder is made to hold the key by a step waiting for a signal, not by timing.
/// </summary>
public sealed class CalledWorkflowKeyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A rolling-deploy stand-in: its key is per environment-like input, as deploy-{{ env.id }} is.</summary>
    private const string Deployer = """
        id: deployer
        concurrency: "deploy-{{ inputs.target }}"
        inputs:
          who: { type: string, required: true }
          target: { type: string, default: prod }
        steps:
          - uses: test.record
            with: { name: "deploy by {{ inputs.who }}" }
        """;

    /// <summary>Holds deploy-prod while it waits for one 'part' signal.</summary>
    private const string GatedDeployer = """
        id: gated
        concurrency: deploy-prod
        steps:
          - id: gate
            uses: test.collect
            with: { count: 1 }
          - uses: test.record
            with: { name: "gated deploy done" }
        """;

    private const string Hotfix = """
        id: hotfix
        steps:
          - id: deploy
            uses: workflow.call
            with: { workflow: deployer, inputs: { who: hotfix } }
        """;

    [Fact]
    public async Task Call_KeyHeldByAnotherRun_WaitsUntilItIsFreedThenDeploys()
    {
        var harness = new EngineHarness();
        var holder = await harness.RunAsync(GatedDeployer);
        Assert.Equal(RunStatus.Waiting, holder.Status);
        var hotfix = await harness.StartAsync(Hotfix, library: Library());

        var running = harness.Engine.RunAsync(hotfix.Id, CancellationToken.None);
        await WaitForLogAsync(harness, hotfix.Id, $"workflow.call deployer: queued behind run {holder.Id}, which holds concurrency key 'deploy-prod'");
        Assert.Empty(harness.Calls.Items);
        Assert.False(running.IsCompleted);

        await harness.Engine.SignalAsync(holder.Id, "part", "go", "tester", CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, (await harness.Engine.RunAsync(holder.Id, CancellationToken.None)).Status);
        var done = await running.WaitAsync(Deadline);

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(["collect saw go", "gated deploy done", "deploy by hotfix"], harness.Calls.Items);
        Assert.Contains(await harness.JournalAsync(hotfix.Id), e => e.Message == "workflow.call deployer: took concurrency key 'deploy-prod'");
        Assert.Null(await harness.Store.TryAcquireKeyAsync("deploy-prod", "probe", CancellationToken.None));
    }

    [Fact]
    public async Task Call_CallerHoldsTheSameKey_CalleeInheritsItAndTheCallerKeepsItAfterTheCall()
    {
        var harness = new EngineHarness();
        var caller = await harness.StartAsync("""
            id: release
            concurrency: deploy-prod
            steps:
              - id: deploy
                uses: workflow.call
                with: { workflow: deployer, inputs: { who: release } }
              - id: after
                uses: test.collect
                with: { count: 1 }
            """, library: Library());

        var waiting = await harness.Engine.RunAsync(caller.Id, CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal(["deploy by release"], harness.Calls.Items);
        Assert.Equal(caller.Id, await harness.Store.TryAcquireKeyAsync("deploy-prod", "probe", CancellationToken.None));
        Assert.DoesNotContain(await harness.JournalAsync(caller.Id), e => e.Message?.Contains("queued behind", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Call_NestedCallOfTheSameKey_InheritsTheEnclosingCallsKey()
    {
        var harness = new EngineHarness();
        var library = Library();
        library["wrapper"] = EngineHarness.Workflow("""
            id: wrapper
            concurrency: deploy-prod
            steps:
              - id: inner
                uses: workflow.call
                with: { workflow: deployer, inputs: { who: nested } }
            """);

        var run = await harness.RunAsync("""
            id: outer
            steps:
              - id: wrap
                uses: workflow.call
                with: { workflow: wrapper }
            """, library: library).WaitAsync(Deadline);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["deploy by nested"], harness.Calls.Items);
        Assert.Null(await harness.Store.TryAcquireKeyAsync("deploy-prod", "probe", CancellationToken.None));
    }

    [Fact]
    public async Task Call_Ended_ReleasesTheKeyWhileTheCallerGoesOn()
    {
        var harness = new EngineHarness();
        var caller = await harness.StartAsync("""
            id: hotfix
            steps:
              - id: deploy
                uses: workflow.call
                with: { workflow: deployer, inputs: { who: hotfix } }
              - id: after
                uses: test.collect
                with: { count: 1 }
            """, library: Library());

        var waiting = await harness.Engine.RunAsync(caller.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Null(await harness.Store.TryAcquireKeyAsync("deploy-prod", "probe", CancellationToken.None));
    }

    [Fact]
    public async Task Call_HoldsTheKeyWhileItsCalleeWaits_ATopLevelRunQueuesBehindItAndStartsWhenTheCallEnds()
    {
        var harness = new EngineHarness();
        var library = Library();
        library["gated"] = EngineHarness.Workflow(GatedDeployer);
        var caller = await harness.StartAsync("""
            id: hotfix
            steps:
              - id: deploy
                uses: workflow.call
                with: { workflow: gated }
            """, library: library);
        Assert.Equal(RunStatus.Waiting, (await harness.Engine.RunAsync(caller.Id, CancellationToken.None)).Status);

        var daily = await harness.RunAsync(Deployer, new Dictionary<string, object?> { ["who"] = "daily" });
        Assert.Equal((RunStatus.Pending, $"queued behind run {caller.Id}, which holds concurrency key 'deploy-prod'"), (daily.Status, daily.Message));

        await harness.Engine.SignalAsync(caller.Id, "part", "go", "tester", CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, (await harness.Engine.RunAsync(caller.Id, CancellationToken.None)).Status);
        await harness.Engine.WhenIdleAsync().WaitAsync(Deadline);

        Assert.Equal(RunStatus.Succeeded, (await harness.Store.GetRunAsync(daily.Id, CancellationToken.None))!.Status);
        Assert.Equal(["collect saw go", "gated deploy done", "deploy by daily"], harness.Calls.Items);
    }

    [Fact]
    public async Task Call_OtherKeyValue_DoesNotWait()
    {
        var harness = new EngineHarness();
        var holder = await harness.RunAsync(GatedDeployer);
        Assert.Equal(RunStatus.Waiting, holder.Status);

        var run = await harness.RunAsync("""
            id: hotfix
            steps:
              - uses: workflow.call
                with: { workflow: deployer, inputs: { who: hotfix, target: staging } }
            """, library: Library()).WaitAsync(Deadline);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["deploy by hotfix"], harness.Calls.Items);
    }

    [Fact]
    public async Task Call_CancelledWhileQueued_EndsCancelledWithoutRunningTheCallee()
    {
        var harness = new EngineHarness();
        var holder = await harness.RunAsync(GatedDeployer);
        var hotfix = await harness.StartAsync(Hotfix, library: Library());
        using var cancel = new CancellationTokenSource();

        var running = harness.Engine.RunAsync(hotfix.Id, cancel.Token);
        await WaitForLogAsync(harness, hotfix.Id, $"workflow.call deployer: queued behind run {holder.Id}, which holds concurrency key 'deploy-prod'");
        await cancel.CancelAsync();
        var done = await running.WaitAsync(Deadline);

        Assert.Equal(RunStatus.Cancelled, done.Status);
        Assert.Empty(harness.Calls.Items);
        Assert.Equal(holder.Id, await harness.Store.TryAcquireKeyAsync("deploy-prod", "probe", CancellationToken.None));
    }

    private static Dictionary<string, WorkflowDefinition> Library() => new() { ["deployer"] = EngineHarness.Workflow(Deployer) };

    private static async Task WaitForLogAsync(EngineHarness harness, string runId, string message)
    {
        await Eventually.TrueAsync(
            async () => (await harness.JournalAsync(runId)).Any(e => e.Type == JournalEventTypes.Log && e.Message == message),
            async () => $"run {runId} logs \"{message}\"; its journal: {string.Join(" | ", (await harness.JournalAsync(runId)).Select(e => $"{e.Type} {e.Message}"))}",
            Deadline,
            every: TimeSpan.FromMilliseconds(20));
    }
}
