using Gantry.Engine.Activities;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>What a workflow is validated against: the activity catalogue, the workflows it may call, and optionally an environment.</summary>
public sealed class ValidationContext(
    ActivityRegistry activities,
    IReadOnlyDictionary<string, WorkflowDefinition>? workflows = null,
    EnvironmentDefinition? environment = null)
{
    /// <summary>Every activity a <c>uses:</c> may name.</summary>
    public ActivityRegistry Activities { get; } = activities;

    /// <summary>Workflows by id, for <c>workflow.call</c> (the validated workflow need not be among them).</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Workflows { get; } = workflows ?? new Dictionary<string, WorkflowDefinition>();

    /// <summary>When set, literal group and host names are checked against it.</summary>
    public EnvironmentDefinition? Environment { get; } = environment;

    /// <summary>A copy naming an environment.</summary>
    public ValidationContext WithEnvironment(EnvironmentDefinition? environment) => new(Activities, Workflows, environment);
}
