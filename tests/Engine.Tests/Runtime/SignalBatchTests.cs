using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// Several deliveries of a signal sent together (a pull request's merge, review and check) are one commit: a
/// sender killed half-way cannot leave the step with part of what it needs while believing it delivered.
/// </summary>
public sealed class SignalBatchTests
{
    [Fact]
    public async Task SignalBatch_ThreeParts_AreOneCommitAndTheStepResumesWithAllOfThem()
    {
        var store = new BatchRecordingStore(new InMemoryRunStore());
        var harness = new EngineHarness(configure: services => services.AddSingleton<IRunStore>(store));
        var waiting = await harness.RunAsync("""
            id: collector
            steps:
              - id: parts
                uses: test.collect
                with: { count: 3 }
            """);

        await harness.Engine.SignalBatchAsync(waiting.Id, "part", ["a", "b", "c"], "tester", CancellationToken.None);
        var done = await harness.Engine.RunAsync(waiting.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Single(store.Batches(waiting.Id), batch => batch == "signal.received, signal.received, signal.received");
        Assert.DoesNotContain(store.Batches(waiting.Id), batch => batch.Contains("signal.received", StringComparison.Ordinal) && batch != "signal.received, signal.received, signal.received");
        Assert.Equal("collect saw a,b,c", harness.Calls.Items[^1]);
        var signals = (await harness.JournalAsync(waiting.Id)).Where(e => e.Type == JournalEventTypes.SignalReceived).ToList();
        Assert.Equal(["a", "b", "c"], signals.Select(s => s.Payload as string));
        Assert.All(signals, s => Assert.Equal("tester", s.Actor));
    }

    [Fact]
    public async Task SignalBatch_RunAlreadyFinished_DeliversNothingAndSaysWhy()
    {
        var harness = new EngineHarness();
        var finished = await harness.RunAsync("""
            id: quick
            steps:
              - uses: test.record
                with: { name: a }
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Engine.SignalBatchAsync(finished.Id, "part", ["a", "b"], "tester", CancellationToken.None));

        Assert.Contains($"run {finished.Id} has already succeeded", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await harness.JournalAsync(finished.Id), e => e.Type == JournalEventTypes.SignalReceived);
    }

    [Fact]
    public async Task SignalBatch_NoPayloads_ThrowsNamingSignalAndRunAndJournalsNothing()
    {
        var store = new BatchRecordingStore(new InMemoryRunStore());
        var harness = new EngineHarness(configure: services => services.AddSingleton<IRunStore>(store));
        var waiting = await harness.RunAsync("""
            id: collector
            steps:
              - id: parts
                uses: test.collect
                with: { count: 3 }
            """);
        var before = store.Batches(waiting.Id).Count;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => harness.Engine.SignalBatchAsync(waiting.Id, "part", [], "tester", CancellationToken.None));

        Assert.Equal($"signal 'part' to run {waiting.Id} has no payloads; a batch delivers at least one (Parameter 'payloads')", error.Message);
        Assert.Equal(before, store.Batches(waiting.Id).Count);
        Assert.DoesNotContain(await harness.JournalAsync(waiting.Id), e => e.Type == JournalEventTypes.SignalReceived);
        Assert.Equal(RunStatus.Waiting, (await store.GetRunAsync(waiting.Id, CancellationToken.None))!.Status);
    }
}
