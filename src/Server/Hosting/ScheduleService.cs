using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Engine.Scheduling;
using Gantry.Server.Definitions;
using Gantry.Server.Runs;

namespace Gantry.Server.Hosting;

/// <summary>
/// Starts the published workflows' <c>on.schedule</c> ticks through the run launcher, like any other
/// trigger. Every server node runs it; a tick's run id is derived from the tick, so one run exists per tick.
/// </summary>
internal sealed class ScheduleService(
    IRunStore runs,
    DefinitionCache definitions,
    RunLauncher launcher,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ScheduleService> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // No new tick starts a run once a stop begins.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var scheduler = new WorkflowScheduler(
            runs,
            time,
            async cancellationToken =>
                [.. (await definitions.PublishedAsync(cancellationToken).ConfigureAwait(false)).Values.Select(v => v.Workflow)],
            async (due, cancellationToken) =>
                (
                    await launcher
                        .StartAsync(
                            new LaunchRequest(due.Workflow.Id, due.Schedule.Environment, due.Schedule.Inputs, due.Schedule.Trigger, "schedule", null)
                            {
                                TriggerDetails = due.TriggerDetails,
                                RunId = due.RunId,
                            },
                            cancellationToken)
                        .ConfigureAwait(false)
                ).Created,
            logger);
        await scheduler.RunAsync(stopping.Token).ConfigureAwait(false);
    }
}
