using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Events appended with a status change: a run's start with its Running, its end with its final status (one write in the durable stores).</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task AppendWithStatus_WritesTheEventsAndTheStatusAndReturnsTheRunAsStored()
    {
        var run = await CreateAsync(NewRun());
        await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);
        Time.Advance(TimeSpan.FromSeconds(5));

        var (events, stored) = await Runs.AppendWithStatusAsync(
            run.Id, [Event(JournalEventTypes.StepSucceeded, "steps[0]"), Event(JournalEventTypes.RunFinished)], RunStatus.Failed, "boom", releaseLease: false, Ct);

        Assert.Equal([2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal((RunStatus.Failed, "boom", Time.GetUtcNow()), (stored.Status, stored.Message, stored.UpdatedAt));
        Assert.Equivalent(stored, await Runs.GetRunAsync(run.Id, Ct), strict: true);
        Assert.Equal(
            [JournalEventTypes.RunStarted, JournalEventTypes.StepSucceeded, JournalEventTypes.RunFinished],
            (await Runs.ReadJournalAsync(run.Id, 0, Ct)).Select(e => e.Type));
    }

    [Fact]
    public async Task AppendWithStatus_FinishedRun_IsPrunedLikeOneFinishedByAStatusUpdate()
    {
        var run = await CreateAsync(NewRun());
        await Runs.AppendWithStatusAsync(run.Id, [Event(JournalEventTypes.RunFinished)], RunStatus.Succeeded, null, releaseLease: false, Ct);
        Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(1, await ((IRunRetention)Runs).PruneAsync(Time.GetUtcNow(), Ct));
        Assert.Null(await Runs.GetRunAsync(run.Id, Ct));
    }

    [Fact]
    public async Task AppendWithStatus_UnknownRun_ThrowsKeyNotFound()
    {
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(
            () => Runs.AppendWithStatusAsync("nope", [Event(JournalEventTypes.RunFinished)], RunStatus.Succeeded, null, releaseLease: false, Ct));

        Assert.Equal("no run with id 'nope'", error.Message);
    }

    [Fact]
    public async Task ReadJournal_RunWithoutEvents_IsEmpty()
    {
        var run = await CreateAsync(NewRun());

        Assert.Empty(await Runs.ReadJournalAsync(run.Id, 0, Ct));
    }
}
