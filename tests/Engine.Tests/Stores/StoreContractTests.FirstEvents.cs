using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>A run created with its first journal events (what triggered it): one write in the durable stores.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task CreateRunWithFirstEvents_WritesTheRunAndItsJournalFromSequenceOne()
    {
        var run = NewRun(trigger: "push:develop");
        var triggered = Event(JournalEventTypes.RunTriggered) with { Message = "push:develop", Actor = "octocat", Payload = new Dictionary<string, object?> { ["ref"] = "refs/heads/develop", ["after"] = "9f1c2e4" } };

        var written = await Runs.CreateRunAsync(run, [triggered], Ct);
        var next = await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);

        Assert.Equal([1L], written.Select(e => e.Sequence));
        Assert.Equal([2L], next.Select(e => e.Sequence));
        Assert.Equivalent(run, await Runs.GetRunAsync(run.Id, Ct), strict: true);
        var journal = await Runs.ReadJournalAsync(run.Id, 0, Ct);
        Assert.Equivalent(triggered with { Sequence = 1 }, journal[0], strict: true);
        Assert.Equal([JournalEventTypes.RunTriggered, JournalEventTypes.RunStarted], journal.Select(e => e.Type));
    }

    [Fact]
    public async Task CreateRunWithFirstEvents_ExistingId_ThrowsAndLeavesThatRunsJournalAlone()
    {
        var run = await CreateAsync(NewRun("dup"));
        await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);

        var error = await Assert.ThrowsAsync<RunAlreadyExistsException>(() => Runs.CreateRunAsync(run, [Event(JournalEventTypes.RunTriggered)], Ct));

        Assert.Equal(("run dup already exists", "dup"), (error.Message, error.RunId));
        Assert.Equal([JournalEventTypes.RunStarted], (await Runs.ReadJournalAsync(run.Id, 0, Ct)).Select(e => e.Type));
    }
}
