using System.Collections.Concurrent;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// What the durable stores add to the contract: leases for several nodes, retention, and
/// correctness when several processes (here: independent store instances) write at once.
/// </summary>
public abstract class DurableStoreContractTests : StoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected IRunLeaseStore Leases => (IRunLeaseStore)Runs;

    /// <summary>Another store instance on the same database with its own connections, as another process or node would have.</summary>
    protected abstract IRunStore OpenAnotherRunStore();

    [Fact]
    public async Task Prune_FinishedBeforeCutoff_DeletesRunsWithTheirJournalsOnly()
    {
        var old = await CreateAsync(NewRun());
        var oldRunning = await CreateAsync(NewRun(status: RunStatus.Running));
        var recent = await CreateAsync(NewRun());
        await Runs.AppendAsync(old.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.RunFinished)], Ct);
        await Runs.AppendAsync(recent.Id, [Event(JournalEventTypes.RunStarted)], Ct);
        await Runs.UpdateStatusAsync(old.Id, RunStatus.Succeeded, null, Ct);
        Time.Advance(TimeSpan.FromDays(10));
        var cutoff = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromDays(1));
        await Runs.UpdateStatusAsync(recent.Id, RunStatus.Failed, "boom", Ct);

        var pruned = await ((IRunRetention)Runs).PruneAsync(cutoff, Ct);

        Assert.Equal(1, pruned);
        Assert.Null(await Runs.GetRunAsync(old.Id, Ct));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Runs.ReadJournalAsync(old.Id, 0, Ct));
        Assert.NotNull(await Runs.GetRunAsync(oldRunning.Id, Ct));
        Assert.Single(await Runs.ReadJournalAsync(recent.Id, 0, Ct));
        Assert.Equal(0, await ((IRunRetention)Runs).PruneAsync(cutoff, Ct));
    }

    [Fact]
    public async Task Prune_RunFinishedThenResumed_IsKept()
    {
        var run = await CreateAsync(NewRun());
        await Runs.UpdateStatusAsync(run.Id, RunStatus.Failed, null, Ct);
        await Runs.UpdateStatusAsync(run.Id, RunStatus.Running, "retried", Ct);
        Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, await ((IRunRetention)Runs).PruneAsync(Time.GetUtcNow(), Ct));
    }

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

        Assert.Equal([pending.Id, running.Id], first.Select(r => r.Id));
        Assert.Equivalent(pending, first[0], strict: true);
        Assert.Equal([later.Id], second.Select(r => r.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task ClaimRuns_ExpiredLease_AnotherNodeTakesOverAndTheOldHolderCannotRenew()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct);
        Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        Time.Advance(TimeSpan.FromSeconds(1));
        var taken = await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct);

        Assert.Equal([run.Id], taken.Select(r => r.Id));
        Assert.False(await Leases.RenewLeaseAsync(run.Id, "node-a", Lease, Ct));
        Assert.True(await Leases.RenewLeaseAsync(run.Id, "node-b", Lease, Ct));
    }

    [Fact]
    public async Task RenewLease_ByHolder_KeepsOtherNodesOutPastTheFirstLease()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct);
        Time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await Leases.RenewLeaseAsync(run.Id, "node-a", Lease, Ct));
        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([run.Id], (await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task RenewLease_UnknownRunOrNeverClaimed_ReturnsFalse()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));

        Assert.False(await Leases.RenewLeaseAsync(run.Id, "node-a", Lease, Ct));
        Assert.False(await Leases.RenewLeaseAsync("nope", "node-a", Lease, Ct));
    }

    [Fact]
    public async Task ReleaseLease_ByHolder_LetsAnotherNodeClaimAtOnce()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct);

        await Leases.ReleaseLeaseAsync(run.Id, "node-b", Ct);
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));

        await Leases.ReleaseLeaseAsync(run.Id, "node-a", Ct);
        Assert.Equal([run.Id], (await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct)).Select(r => r.Id));
        Assert.False(await Leases.RenewLeaseAsync(run.Id, "node-a", Lease, Ct));
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

                foreach (var run in claimed)
                {
                    claims.Add((node.Name, run.Id));
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
        await Leases.ReleaseLeaseAsync(signalled.Id, "node-a", Ct);
        await Runs.AppendAsync(signalled.Id, [Event(JournalEventTypes.RunResumed)], Ct);
        var afterPass = await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct);

        Assert.Equal([signalled.Id, cancelled.Id], first.Select(r => r.Id));
        Assert.Empty(afterPass);
    }

    [Fact]
    public async Task TryClaimRun_FreeOwnOrExpired_TakesTheLeaseElseRefuses()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Pending));

        Assert.True(await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct));
        Assert.True(await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct));
        Assert.False(await Leases.TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
        Assert.Empty(await Leases.ClaimRunsAsync("node-b", Lease, 10, Ct));
        Time.Advance(Lease);
        Assert.True(await Leases.TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
        Assert.False(await Leases.RenewLeaseAsync(run.Id, "node-a", Lease, Ct));
        Assert.False(await Leases.TryClaimRunAsync("nope", "node-a", Lease, Ct));
    }
}
