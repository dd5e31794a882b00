using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Engine.Scheduling;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli.Running;

/// <summary>The workspace's schedules as a <c>gantry worker</c> runs them: a tick creates a pending run that the worker (this or another node)
/// claims.</summary>
internal sealed partial class RunHost
{
    public WorkflowScheduler Scheduler(TimeProvider time, Action<string>? log) => new(
        Runs,
        time,
        _ => Task.FromResult<IReadOnlyCollection<WorkflowDefinition>>([.. Catalog.LoadWorkflows().Values]),
        async (due, cancellationToken) =>
        {
            var library = Catalog.LoadWorkflows();
            EnvironmentDefinition? environment = null;
            string? text = null;
            if (due.Schedule.Environment is { } id)
            {
                var path = Catalog.FindEnvironment(id)
                    ?? throw new InvalidOperationException($"schedule of {due.Workflow.Id}: no environment '{id}'");
                text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
                environment = DocumentLoader.LoadEnvironment(text, path).GetOrThrow();
            }

                await Engine
                    .StartAsync(
                        new StartRunRequest
                        {
                            Workflow = due.Workflow,
                            Library = library,
                            Environment = environment,
                            EnvironmentText = text,
                            WorkflowVersion =
                                Imported.TryGetValue(due.Workflow.Id, out var version) && version.Text == due.Workflow.SourceText
                                    ? version.Version
                                    : null,
                            Inputs = due.Schedule.Inputs,
                            Trigger = due.Schedule.Trigger,
                            StartedBy = "schedule",
                            TriggerDetails = due.TriggerDetails,
                            RunId = due.RunId,
                        },
                        cancellationToken)
                    .ConfigureAwait(false);
                log?.Invoke($"schedule {due.Schedule.Cron} started {due.Workflow.Id} for {due.Tick:u} as run {due.RunId}");
                return true; // a run already in the store fails its insert instead
            },
            Logging.CreateLogger<WorkflowScheduler>());
}
