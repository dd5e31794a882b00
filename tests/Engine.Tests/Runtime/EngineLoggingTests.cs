using Gantry.Engine.Runtime;
using Gantry.Engine.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Failures off any caller's path reach the host's ILogger, whole, with the run (and step) in scope.</summary>
public sealed class EngineLoggingTests
{
    [Fact]
    public async Task Run_ObserverThrows_LogsTheWholeExceptionWithRunAndStepInScopeAndTheRunSucceeds()
    {
        var logs = new RecordingLoggerProvider();
        var harness = new EngineHarness(configure: services => services
            .AddLogging(logging => logging.AddProvider(logs))
            .AddSingleton<IJournalObserver>(new ThrowingObserver(JournalEventTypes.StepSucceeded)));

        var run = await harness.RunAsync("""
            id: observed
            steps:
              - id: only
                uses: test.record
                with: { name: one }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var entry = Assert.Single(logs.Entries, e => e.Exception is not null);
        Assert.Equal(typeof(WorkflowEngine).FullName, entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal($"A journal observer (ThrowingObserver) failed on event {JournalEventTypes.StepSucceeded} of run {run.Id}; the run goes on", entry.Message);
        // Logged as a masked copy (the run's secrets could be in it): the original's type, message and stack.
        var thrown = Assert.IsType<MaskedException>(entry.Exception);
        Assert.Equal("System.InvalidOperationException", thrown.OriginalType);
        Assert.Equal($"observer broke on {JournalEventTypes.StepSucceeded}", thrown.Message);
        Assert.StartsWith($"System.InvalidOperationException: observer broke on {JournalEventTypes.StepSucceeded}", thrown.ToString(), StringComparison.Ordinal);
        Assert.Contains("ThrowingObserver.OnEvent(", thrown.StackTrace, StringComparison.Ordinal);
        Assert.Equal(run.Id, entry.Scope["RunId"]);
        Assert.Equal("steps[0]", entry.Scope["StepId"]); // the journal names a step by its path
    }

    private sealed class ThrowingObserver(string eventType) : IJournalObserver
    {
        public void OnEvent(RunRecord run, JournalEvent journalEvent)
        {
            if (journalEvent.Type == eventType)
            {
                throw new InvalidOperationException($"observer broke on {journalEvent.Type}");
            }
        }
    }
}
