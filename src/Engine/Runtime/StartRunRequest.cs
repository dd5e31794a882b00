using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>What starting a run needs: the workflow, the definitions it may call, the environment and inputs.</summary>
public sealed record StartRunRequest
{
    public required WorkflowDefinition Workflow { get; init; }

    /// <summary>Workflows that workflow.call may reach, by id; the ones actually reachable are pinned into the run.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Library { get; init; } = new Dictionary<string, WorkflowDefinition>();

    public int? WorkflowVersion { get; init; }

    public EnvironmentDefinition? Environment { get; init; }

    public string? EnvironmentText { get; init; }

    public IReadOnlyDictionary<string, object?> Inputs { get; init; } = new Dictionary<string, object?>();

    public string Trigger { get; init; } = "cli";

    public string? StartedBy { get; init; }

    /// <summary>
    /// What the trigger delivered (a push webhook's event, delivery id, commit, pusher…), recorded as
    /// the run's first journal event (<see cref="JournalEventTypes.RunTriggered"/>); null records nothing.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? TriggerDetails { get; init; }

    /// <summary>Set to reuse a known id (idempotent starts); otherwise one is made.</summary>
    public string? RunId { get; init; }
}
