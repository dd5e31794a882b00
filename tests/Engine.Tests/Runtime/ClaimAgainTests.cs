using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// A claim that loses to a holder who lets go before the run is read again: the engine claims again and
/// executes the run, instead of reporting a holder that is gone ("executing in this process"). The
/// interleaving is forced by <see cref="LettingGoRunStore"/>, not by timing.
/// </summary>
public sealed class ClaimAgainTests
{
    [Fact]
    public async Task Run_HolderLetsGoBetweenTheLostClaimAndTheRead_ClaimsAgainAndExecutesOnce()
    {
        var harness = new EngineHarness();
        var inner = new InMemoryRunStore();
        var store = new LettingGoRunStore(inner);
        var (engine, run) = await StartOnAsync(harness, store);
        store.HeldBy = await inner.TryClaimRunAsync(run.Id, "node-x", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.NotNull(store.HeldBy);

        var finished = await engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["first", "second"], harness.Calls.Items);
        // The lost claim while node-x held the run, then the claim that executed it.
        Assert.Equal([null, 2L], store.Claims.Select(c => c?.Generation));
        var journal = await inner.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
        Assert.Equal(2, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded));
    }

    [Fact]
    public async Task Run_HolderKeepsTheRunAfterTheLostClaim_ThrowsNamingTheHolderAndClaimsOnce()
    {
        var harness = new EngineHarness();
        var inner = new InMemoryRunStore();
        var store = new LettingGoRunStore(inner) { LetGo = false };
        var (engine, run) = await StartOnAsync(harness, store);
        store.HeldBy = await inner.TryClaimRunAsync(run.Id, "node-x", TimeSpan.FromMinutes(1), CancellationToken.None);

        var held = await Assert.ThrowsAsync<RunHeldException>(() => engine.RunAsync(run.Id, CancellationToken.None));

        Assert.Equal("node-x", held.HolderNodeId);
        Assert.Equal([null], store.Claims.Select(c => c?.Generation));
        Assert.Empty(harness.Calls.Items);
    }

    /// <summary>An engine of node-a over <paramref name="store"/>, and a new run of <see cref="OneExecutionTests.TwoSteps"/> in it.</summary>
    private static async Task<(WorkflowEngine Engine, RunRecord Run)> StartOnAsync(EngineHarness harness, IRunStore store)
    {
        var engine = new WorkflowEngine(store, harness.Services.GetRequiredService<Activities.ActivityRegistry>(), harness.Services, new EngineOptions { NodeId = "node-a" });
        var request = new StartRunRequest { Workflow = EngineHarness.Workflow(OneExecutionTests.TwoSteps), Inputs = new Dictionary<string, object?>(), Library = new Dictionary<string, Model.WorkflowDefinition>() };
        return (engine, await engine.StartAsync(request, CancellationToken.None));
    }
}

/// <summary>
/// The in-memory store, where the node holding <see cref="HeldBy"/> releases it right after another node's claim
/// of that run lost (as a worker finishing its pass does), so the loser's next read finds the run free.
/// </summary>
internal sealed class LettingGoRunStore(InMemoryRunStore inner) : IRunStore, IRunLeaseStore
{
    public RunLease? HeldBy { get; set; }

    /// <summary>Whether the holder lets go after a lost claim; false keeps it (a live holder).</summary>
    public bool LetGo { get; init; } = true;

    /// <summary>Every TryClaimRunAsync answer, in order (null: lost).</summary>
    public List<RunLease?> Claims { get; } = [];

    public async Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var claimed = await inner.TryClaimRunAsync(runId, nodeId, lease, cancellationToken);
        Claims.Add(claimed);
        if (claimed is null && LetGo && HeldBy is { } holder && holder.RunId == runId)
        {
            await inner.ReleaseLeaseAsync(holder, cancellationToken);
            HeldBy = null;
        }

        return claimed;
    }

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) => inner.CreateRunAsync(run, cancellationToken);

    public Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

    public Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) => inner.UpdateStatusAsync(runId, status, message, cancellationToken);

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) => inner.UpdatePendingAsync(runId, status, message, cancellationToken);

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken) => inner.AppendAsync(runId, events, cancellationToken);

    public Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken) => inner.ReadJournalAsync(runId, afterSequence, cancellationToken);

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) => inner.TryAcquireKeyAsync(key, runId, cancellationToken);

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) => inner.ReleaseKeyAsync(key, runId, cancellationToken);

    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken) => inner.ClaimRunsAsync(nodeId, lease, max, cancellationToken);

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken) => inner.RenewLeaseAsync(lease, duration, cancellationToken);

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(lease, cancellationToken);

    public IRunStore Fenced(RunLease lease) => inner.Fenced(lease);
}
