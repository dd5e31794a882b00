using System.Diagnostics;
using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Server.Tests.Telemetry;

public sealed class TelemetryObserverTests
{
    [Fact]
    public async Task OnEvent_AmbientSpanAlreadyStopped_ThrowsNoExceptionInsideAndLeavesTheAmbientSpan()
    {
        // What a run started over HTTP meets: the request's span flowed into the background run and stopped with the 202.
        using var source = new ActivitySource("Gantry.Server.Tests.TelemetryObserver");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var request = source.StartActivity("POST /api/workflows/{id}/runs")!;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(async () =>
        {
            await stopped.Task;
            return ObserveTwoEvents();
        });
        request.Stop();
        stopped.SetResult();

        var (ambientBefore, thrown, ambientAfter) = await run;

        Assert.Same(request, ambientBefore);
        Assert.Empty(thrown);
        Assert.Same(request, ambientAfter);
    }

    private static (Activity? Before, List<Exception> Thrown, Activity? After) ObserveTwoEvents()
    {
        var before = Activity.Current;
        var thread = Environment.CurrentManagedThreadId;
        var thrown = new List<Exception>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                lock (thrown)
                {
                    thrown.Add(e.Exception);
                }
            }
        }

        var observer = new TelemetryObserver(NullLogger<TelemetryObserver>.Instance);
        var run = new RunRecord { Id = "r-stopped-span", WorkflowId = "burst", Definitions = new Dictionary<string, string>() };
        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            observer.OnEvent(run, new JournalEvent { Type = JournalEventTypes.StepStarted, Path = "steps[0]", StepId = "hello", Activity = "log" });
            observer.OnEvent(run, new JournalEvent { Type = JournalEventTypes.StepSucceeded, Path = "steps[0]", StepId = "hello", Activity = "log" });
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        return (before, thrown, Activity.Current);
    }
}
