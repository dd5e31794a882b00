using System.Collections.Concurrent;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// What the durable stores add to the contract: leases for several nodes and
/// correctness when several processes (here: independent store instances) write at once.
/// </summary>
public abstract partial class DurableStoreContractTests : StoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected IRunLeaseStore Leases => (IRunLeaseStore)Runs;

    /// <summary>Another store instance on the same database with its own connections, as another process or node would have.</summary>
    protected abstract IRunStore OpenAnotherRunStore();

    [Fact]
    public async Task Append_ConcurrentWritersOnTwoStores_KeepSequencesGapFree()
    {
        var run = await CreateAsync(NewRun());
        var stores = new[] { Runs, OpenAnotherRunStore() };

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            stores[i % 2].AppendAsync(run.Id, [Event(JournalEventTypes.Log) with { Message = $"{i}a" }, Event(JournalEventTypes.Log) with { Message = $"{i}b" }], Ct))));

        var journal = await Runs.ReadJournalAsync(run.Id, 0, Ct);
        Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), journal.Select(e => e.Sequence));
        for (var i = 0; i < 80; i += 2)
        {
            // Each append's events stay together and in order.
            Assert.Equal(journal[i].Message![..^1] + "b", journal[i + 1].Message);
        }
    }

    [Fact]
    public async Task TryAcquireKey_RacingRunsOnTwoStores_ExactlyOneWins()
    {
        var stores = new[] { Runs, OpenAnotherRunStore() };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => stores[i % 2].TryAcquireKeyAsync("prod", $"run-{i}", Ct))));

        var winners = Enumerable.Range(0, 20).Where(i => results[i] is null).ToList();
        var winner = Assert.Single(winners);
        Assert.All(results.Where(r => r is not null), holder => Assert.Equal($"run-{winner}", holder));
    }

    [Fact]
    public async Task ClaimRuns_Unleased_ClaimsPendingAndRunningOldestFirstUpToMax()
    {
        var pending = await CreateAsync(NewRun(status: RunStatus.Pending));
        await CreateAsync(NewRun(status: RunStatus.Waiting));
        var running = await CreateAsync(NewRun(status: RunStatus.Running));
        await CreateAsync(NewRun(status: RunStatus.Succeeded));
        var later = await CreateAsync(NewRun(status: RunStatus.Pending));

        var first = await Leases.ClaimRunsAsync("node-a", Lease, 2, Ct);
        var second = await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct);
        var third = await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct);

        Assert.Equal([pending.Id, running.Id], first.Select(c => c.Run.Id));
        Assert.Equivalent(pending, first[0].Run with { LeaseOwner = null, LeaseExpiresAt = null }, strict: true);
        Assert.Equal("node-a", first[0].Run.LeaseOwner);
        Assert.Equal(new RunLease(pending.Id, "node-a", 1), first[0].Lease);
        Assert.Equal([later.Id], second.Select(c => c.Run.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task ClaimRuns_ExpiredLease_AnotherNodeTakesOverAndTheOldHolderCannotRenew()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var held = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        Time.Advance(TimeSpan.FromSeconds(1));
        var taken = await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct);

        Assert.Equal([run.Id], taken.Select(c => c.Run.Id));
        Assert.False(await Leases.RenewLeaseAsync(held, Lease, Ct));
        Assert.True(await Leases.RenewLeaseAsync(taken[0].Lease, Lease, Ct));
    }

    [Fact]
    public async Task Claims_EveryClaim_RaisesTheRunsLeaseGeneration()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));

        var first = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        await Leases.ReleaseLeaseAsync(first, Ct);
        var second = Assert.Single(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Lease;
        var third = await Leases.TryClaimRunAsync(run.Id, "node-b", Lease, Ct);
        Time.Advance(Lease);
        var fourth = await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct);

        Assert.Equal(
            [new RunLease(run.Id, "node-a", 1), new RunLease(run.Id, "node-b", 2), new RunLease(run.Id, "node-b", 3), new RunLease(run.Id, "node-a", 4)],
            new[] { first, second, third!, fourth! });
    }

    [Fact]
    public async Task RenewLease_StaleGenerationOfTheSameNode_Fails()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var stale = (await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!;
        var current = (await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!;

        Assert.False(await Leases.RenewLeaseAsync(stale, Lease, Ct));
        Assert.True(await Leases.RenewLeaseAsync(current, Lease, Ct));
    }

    [Fact]
    public async Task RenewLease_ByHolder_KeepsOtherNodesOutPastTheFirstLease()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var held = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        Time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await Leases.RenewLeaseAsync(held, Lease, Ct));
        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([run.Id], (await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Select(c => c.Run.Id));
    }

    [Fact]
    public async Task RenewLease_UnknownRunOrNeverClaimed_ReturnsFalse()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));

        Assert.False(await Leases.RenewLeaseAsync(new RunLease(run.Id, "node-a", 0), Lease, Ct));
        Assert.False(await Leases.RenewLeaseAsync(new RunLease("nope", "node-a", 1), Lease, Ct));
    }

    [Fact]
    public async Task ReleaseLease_ByHolder_LetsAnotherNodeClaimAtOnce()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var held = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;

        await Leases.ReleaseLeaseAsync(held with { NodeId = "node-b" }, Ct);
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        await Leases.ReleaseLeaseAsync(held, Ct);
        Assert.Equal([run.Id], (await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Select(c => c.Run.Id));
        Assert.False(await Leases.RenewLeaseAsync(held, Lease, Ct));
    }

    [Fact]
    public async Task ReleaseLease_ByAStaleHolder_LeavesTheNewHoldersLease()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var stale = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        Time.Advance(Lease);
        var current = Assert.Single(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Lease;

        await Leases.ReleaseLeaseAsync(stale, Ct);

        Assert.Empty(await Leases.ClaimRunsAsync("node-c", Lease, 10, Ct));
        Assert.Null(await Leases.TryClaimRunAsync(run.Id, "node-c", Lease, Ct));
        Assert.True(await Leases.RenewLeaseAsync(current, Lease, Ct));
    }

    [Fact]
    public async Task Fenced_AfterAnotherNodeTookTheRunOver_RejectsTheStaleNodesWritesAndKeepsNothingOfThem()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running, key: "prod"));
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", run.Id, Ct));
        var nodeA = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        var asA = Leases.Fenced(nodeA);
        await asA.AppendAsync(run.Id, [Event(JournalEventTypes.StepStarted, "work")], Ct);
        Time.Advance(Lease);
        var nodeB = (IRunLeaseStore)OpenAnotherRunStore();
        var takenOver = Assert.Single(await nodeB.ClaimRunsAsync("node-b", Lease, 10, Ct)).Lease;

        var append = await Assert.ThrowsAsync<LeaseLostException>(() => asA.AppendAsync(run.Id, [Event(JournalEventTypes.StepSucceeded, "work")], Ct));
        var update = await Assert.ThrowsAsync<LeaseLostException>(() => asA.UpdateStatusAsync(run.Id, RunStatus.Succeeded, null, Ct));
        var release = await Assert.ThrowsAsync<LeaseLostException>(() => asA.ReleaseKeyAsync("prod", run.Id, Ct));
        var acquire = await Assert.ThrowsAsync<LeaseLostException>(() => asA.TryAcquireKeyAsync("staging", run.Id, Ct));
        await nodeB.Fenced(takenOver).AppendAsync(run.Id, [Event(JournalEventTypes.RunResumed)], Ct);

        Assert.Equal($"run {run.Id} is no longer leased to node node-a (lease generation 1): node node-b holds it now (generation 2)", append.Message);
        Assert.Equal((nodeA, "node-b", 2L), (append.Lease, append.HolderNodeId, append.CurrentGeneration));
        Assert.Equal(append.Message, update.Message);
        Assert.Equal(append.Message, release.Message);
        Assert.Equal(append.Message, acquire.Message);
        Assert.Equal(
            [(1L, JournalEventTypes.StepStarted), (2L, JournalEventTypes.RunResumed)],
            (await Runs.ReadJournalAsync(run.Id, 0, Ct)).Select(e => (e.Sequence, e.Type)));
        Assert.Equal(RunStatus.Running, (await Runs.GetRunAsync(run.Id, Ct))!.Status);
        Assert.Equal(run.Id, await Runs.TryAcquireKeyAsync("prod", "run-other", Ct));
        Assert.Null(await Runs.TryAcquireKeyAsync("staging", "run-other", Ct));
    }

    [Fact]
    public async Task Fenced_LeaseReleased_RejectsWritesNamingNoHolder()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Pending));
        var lease = (await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!;
        await Leases.ReleaseLeaseAsync(lease, Ct);

        var error = await Assert.ThrowsAsync<LeaseLostException>(() => Leases.Fenced(lease).UpdatePendingAsync(run.Id, RunStatus.Running, null, Ct));

        Assert.Equal($"run {run.Id} is no longer leased to node node-a (lease generation 1): nobody holds it now (generation 1)", error.Message);
        Assert.Equal(RunStatus.Pending, (await Runs.GetRunAsync(run.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Fenced_CurrentLeaseOnARunNoLongerPending_UpdatePendingChangesNothingAndSaysSo()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Pending));
        var fenced = Leases.Fenced((await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!);
        await fenced.UpdateStatusAsync(run.Id, RunStatus.Cancelled, "cancelled before it started", Ct);

        var updated = await fenced.UpdatePendingAsync(run.Id, RunStatus.Running, null, Ct);

        Assert.Null(updated);
        var stored = (await Runs.GetRunAsync(run.Id, Ct))!;
        Assert.Equal((RunStatus.Cancelled, "cancelled before it started"), (stored.Status, stored.Message));
    }

    [Fact]
    public async Task Fenced_CurrentLease_WritesLikeTheStoreAndLeavesOtherRunsUnchecked()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Pending, key: "prod"));
        var other = await CreateAsync(NewRun(status: RunStatus.Running));
        var fenced = Leases.Fenced((await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!);

        Assert.Null(await fenced.TryAcquireKeyAsync("prod", run.Id, Ct));
        Assert.Null(await fenced.TryAcquireKeyAsync("prod", run.Id, Ct));
        Assert.Equal(run.Id, await fenced.TryAcquireKeyAsync("prod", other.Id, Ct));

        var running = await fenced.UpdatePendingAsync(run.Id, RunStatus.Running, null, Ct);
        var appended = await fenced.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.RunFinished)], Ct);
        var finished = await fenced.UpdateStatusAsync(run.Id, RunStatus.Succeeded, "done", Ct);
        await fenced.ReleaseKeyAsync("prod", run.Id, Ct);
        await fenced.AppendAsync(other.Id, [Event(JournalEventTypes.Log)], Ct);
        await fenced.UpdateStatusAsync(other.Id, RunStatus.Failed, "boom", Ct);

        Assert.Equal(RunStatus.Running, running!.Status);
        Assert.Equal([1L, 2L], appended.Select(e => e.Sequence));
        Assert.Equal((RunStatus.Succeeded, "done"), (finished.Status, finished.Message));
        Assert.Null(await Runs.TryAcquireKeyAsync("prod", "run-next", Ct));
        Assert.Single(await Runs.ReadJournalAsync(other.Id, 0, Ct));
        Assert.Equal(RunStatus.Failed, (await Runs.GetRunAsync(other.Id, Ct))!.Status);
    }

    [Fact]
    public async Task ClaimRuns_ConcurrentNodes_NeverClaimTheSameRun()
    {
        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add((await CreateAsync(NewRun(status: i % 2 == 0 ? RunStatus.Pending : RunStatus.Running))).Id);
        }

        var nodes = Enumerable.Range(0, 4).Select(i => (Name: $"node-{i}", Store: (IRunLeaseStore)(i == 0 ? Runs : OpenAnotherRunStore()))).ToList();
        var claims = new ConcurrentBag<(string Node, string Run)>();

        await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            while (true)
            {
                var claimed = await node.Store.ClaimRunsAsync(node.Name, Lease, 3, Ct);
                if (claimed.Count == 0)
                {
                    return;
                }

                foreach (var claim in claimed)
                {
                    claims.Add((node.Name, claim.Run.Id));
                }
            }
        })));

        Assert.Equal(ids.Order(StringComparer.Ordinal), claims.Select(c => c.Run).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClaimRuns_WaitingRunWokenAfterItsLastPass_IsClaimedOnceUntilItsNextPass()
    {
        var signalled = await CreateAsync(NewRun(status: RunStatus.Waiting));
        var cancelled = await CreateAsync(NewRun(status: RunStatus.Waiting));
        var asleep = await CreateAsync(NewRun(status: RunStatus.Waiting));
        var signalledEarly = await CreateAsync(NewRun(status: RunStatus.Waiting));
        await Runs.AppendAsync(signalled.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepWaiting, "0"), Event(JournalEventTypes.SignalReceived)], Ct);
        await Runs.AppendAsync(cancelled.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepWaiting, "0"), Event(JournalEventTypes.RunCancelRequested)], Ct);
        await Runs.AppendAsync(asleep.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepWaiting, "0")], Ct);
        await Runs.AppendAsync(signalledEarly.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.SignalReceived), Event(JournalEventTypes.RunResumed), Event(JournalEventTypes.StepWaiting, "0")], Ct);

        var first = await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct);
        await Leases.ReleaseLeaseAsync(first[0].Lease, Ct);
        await Runs.AppendAsync(signalled.Id, [Event(JournalEventTypes.RunResumed)], Ct);
        var afterPass = await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct);

        Assert.Equal([signalled.Id, cancelled.Id], first.Select(c => c.Run.Id));
        Assert.Empty(afterPass);
    }

    [Fact]
    public async Task TryClaimRun_FreeOwnOrExpired_TakesTheLeaseElseRefuses()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Pending));

        Assert.Equal(new RunLease(run.Id, "node-a", 1), await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct));
        var own = await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct);
        Assert.Equal(new RunLease(run.Id, "node-a", 2), own);
        Assert.Null(await Leases.TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));
        Time.Advance(Lease);
        Assert.Equal(new RunLease(run.Id, "node-b", 3), await Leases.TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
        Assert.False(await Leases.RenewLeaseAsync(own!, Lease, Ct));
        Assert.Null(await Leases.TryClaimRunAsync("nope", "node-a", Lease, Ct));
    }
}
