using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Retention: every run store prunes finished history (the in-memory one for long-lived benchmarks).</summary>
public abstract partial class StoreContractTests
{
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
}
