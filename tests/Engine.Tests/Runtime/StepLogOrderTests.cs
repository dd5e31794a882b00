using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>
/// Log lines and progress are queued, not waited for: on a real SQLite store they still land in the
/// journal in the order written, gap-free, and all before the step's end.
/// </summary>
public sealed class StepLogOrderTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-steplog-").FullName;
    private StoreSet _stores = null!;
    private WorkflowEngine _engine = null!;

    public async Task InitializeAsync()
    {
        _stores = await RunStoreFactory.OpenAsync(null, _folder, TimeProvider.System, CancellationToken.None);
        _engine = new ServiceCollection()
            .AddSingleton(_stores.Runs)
            .AddGantryEngine()
            .AddActivity<ChattyActivity>()
            .BuildServiceProvider()
            .GetRequiredService<WorkflowEngine>();
    }

    public async Task DisposeAsync()
    {
        await _stores.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Run_LinesLoggedFromManyThreads_AreAllJournaledInOrderBeforeTheStepEnds()
    {
        var workflow = DocumentLoader.LoadWorkflow("""
            id: chatty
            steps:
              - id: talk
                uses: test.chatty
              - id: after
                uses: test.chatty
            """, "chatty.yaml").GetOrThrow();
        var started = await _engine.StartAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None);

        var run = await _engine.RunAsync(started.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var journal = await _stores.Runs.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        foreach (var step in new[] { "steps[0]", "steps[1]" })
        {
            var ended = journal.Single(e => e.Path == step && e.Type == JournalEventTypes.StepSucceeded).Sequence;
            var lines = journal.Where(e => e.Path == step && e.Type == JournalEventTypes.Log).ToList();
            Assert.Equal(ChattyActivity.Threads * ChattyActivity.LinesPerThread, lines.Count);
            Assert.All(lines, l => Assert.True(l.Sequence < ended, $"log line {l.Sequence} '{l.Message}' after the step's end {ended}"));
            for (var thread = 0; thread < ChattyActivity.Threads; thread++)
            {
                var own = lines.Where(l => l.Host == $"web{thread}").Select(l => l.Message).ToList();
                Assert.Equal(Enumerable.Range(0, ChattyActivity.LinesPerThread).Select(n => $"line {n}"), own);
            }

            var progress = journal.Where(e => e.Path == step && e.Type == JournalEventTypes.Progress).ToList();
            Assert.Equal(ChattyActivity.Threads, progress.Count);
            Assert.All(progress, p => Assert.True(p.Sequence < ended));
        }
    }

    /// <summary>Logs from several threads at once, as a multi-host step does, then returns.</summary>
    [Activity("test.chatty")]
    private sealed class ChattyActivity : Activity<NoInputs, NoOutputs>
    {
        public const int Threads = 8;
        public const int LinesPerThread = 5;

        protected override async Task<NoOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken)
        {
            var done = 0;
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(
                () =>
                {
                    for (var n = 0; n < LinesPerThread; n++)
                    {
                        context.Log.Info($"line {n}", $"web{thread}");
                    }

                    context.Log.Progress(Interlocked.Increment(ref done), Threads, 0);
                },
                cancellationToken)));
            return new NoOutputs();
        }
    }
}
