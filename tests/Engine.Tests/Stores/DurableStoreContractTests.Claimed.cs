using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// What lets a server start a run and execute it with fewer writes: the run created already leased to its
/// creator, and a fenced append that carries the run's status. Another store instance plays another node.
/// </summary>
public abstract partial class DurableStoreContractTests
{
    [Fact]
    public async Task CreateClaimedRun_IsLeasedToItsCreatorAtGenerationOne_NoOtherNodeClaimsItUntilTheLeaseExpires()
    {
        var run = NewRun();
        var triggered = Event(JournalEventTypes.RunTriggered) with { Message = "http" };
        var other = (IRunLeaseStore)OpenAnotherRunStore();

        var (events, lease) = await Leases.CreateClaimedRunAsync(run, [triggered], "node-a", Lease, Ct);

        Assert.Equal(new RunLease(run.Id, "node-a", 1), lease);
        Assert.Equal([1L], events.Select(e => e.Sequence));
        var stored = (await Runs.GetRunAsync(run.Id, Ct))!;
        Assert.Equal(("node-a", Time.GetUtcNow() + Lease, RunStatus.Pending), (stored.LeaseOwner, stored.LeaseExpiresAt, stored.Status));
        Assert.Empty(await other.ClaimRunsAsync("node-b", Lease, 10, Ct));
        Assert.Null(await other.TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
        Assert.True(await Leases.RenewLeaseAsync(lease, Lease, Ct));
        await Leases.Fenced(lease).AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);
        Time.Advance(Lease);
        Assert.Equal(new RunLease(run.Id, "node-b", 2), Assert.Single(await other.ClaimRunsAsync("node-b", Lease, 10, Ct)).Lease);
        await Assert.ThrowsAsync<LeaseLostException>(() => Leases.Fenced(lease).AppendAsync(run.Id, [Event(JournalEventTypes.Log)], Ct));
    }

    [Fact]
    public async Task CreateClaimedRun_IdTaken_ThrowsAndLeavesTheExistingRunAndItsLeaseAlone()
    {
        var existing = await CreateAsync(NewRun("dup"));
        var held = (await Leases.TryClaimRunAsync(existing.Id, "node-b", Lease, Ct))!;

        var error = await Assert.ThrowsAsync<RunAlreadyExistsException>(
            () => Leases.CreateClaimedRunAsync(NewRun("dup"), [Event(JournalEventTypes.RunTriggered)], "node-a", Lease, Ct));

        Assert.Equal("run dup already exists", error.Message);
        Assert.Equal("node-b", (await Runs.GetRunAsync("dup", Ct))!.LeaseOwner);
        Assert.Empty(await Runs.ReadJournalAsync("dup", 0, Ct));
        Assert.True(await Leases.RenewLeaseAsync(held, Lease, Ct));
    }

    [Fact]
    public async Task Fenced_AppendWithStatus_AfterAnotherNodeTookTheRunOver_KeepsNeitherTheEventsNorTheStatus()
    {
        var run = await CreateAsync(NewRun(status: RunStatus.Running));
        var nodeA = Assert.Single(await Leases.ClaimRunsAsync("node-a", Lease, 10, Ct)).Lease;
        await Leases.Fenced(nodeA).AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);
        Time.Advance(Lease);
        var nodeB = (IRunLeaseStore)OpenAnotherRunStore();
        var takenOver = Assert.Single(await nodeB.ClaimRunsAsync("node-b", Lease, 10, Ct)).Lease;

        var error = await Assert.ThrowsAsync<LeaseLostException>(
            () => Leases.Fenced(nodeA).AppendWithStatusAsync(run.Id, [Event(JournalEventTypes.RunFinished)], RunStatus.Succeeded, "done", releaseLease: true, Ct));

        Assert.Equal($"run {run.Id} is no longer leased to node node-a (lease generation 1): node node-b holds it now (generation 2)", error.Message);
        Assert.Equal([JournalEventTypes.RunStarted], (await Runs.ReadJournalAsync(run.Id, 0, Ct)).Select(e => e.Type));
        var stored = (await Runs.GetRunAsync(run.Id, Ct))!;
        Assert.Equal((RunStatus.Running, (string?)null, "node-b"), (stored.Status, stored.Message, stored.LeaseOwner));
        Assert.True(await nodeB.RenewLeaseAsync(takenOver, Lease, Ct));
    }

    [Fact]
    public async Task Fenced_AppendWithStatus_ReleasingTheLease_EndsTheRunAndLetsAnotherNodeClaimItAtOnce()
    {
        var run = await CreateAsync(NewRun());
        var lease = (await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!;

        var (_, stored) = await Leases.Fenced(lease)
            .AppendWithStatusAsync(run.Id, [Event(JournalEventTypes.RunFinished)], RunStatus.Succeeded, null, releaseLease: true, Ct);

        Assert.Equal((RunStatus.Succeeded, (string?)null, (DateTimeOffset?)null), (stored.Status, stored.LeaseOwner, stored.LeaseExpiresAt));
        Assert.Equivalent(stored, await Runs.GetRunAsync(run.Id, Ct), strict: true);
        Assert.False(await Leases.RenewLeaseAsync(lease, Lease, Ct));
        Assert.Equal(new RunLease(run.Id, "node-b", 2), await ((IRunLeaseStore)OpenAnotherRunStore()).TryClaimRunAsync(run.Id, "node-b", Lease, Ct));
    }

    [Fact]
    public async Task Fenced_AppendWithStatus_CurrentLease_CommitsBoth()
    {
        var run = await CreateAsync(NewRun());
        var lease = (await Leases.TryClaimRunAsync(run.Id, "node-a", Lease, Ct))!;

        var (events, stored) = await Leases.Fenced(lease)
            .AppendWithStatusAsync(run.Id, [Event(JournalEventTypes.RunStarted), Event(JournalEventTypes.StepStarted, "steps[0]")], RunStatus.Running, null, releaseLease: false, Ct);

        Assert.Equal([1L, 2L], events.Select(e => e.Sequence));
        Assert.Equal((RunStatus.Running, "node-a"), (stored.Status, stored.LeaseOwner));
        Assert.Equal(RunStatus.Running, (await OpenAnotherRunStore().GetRunAsync(run.Id, Ct))!.Status);
    }
}
