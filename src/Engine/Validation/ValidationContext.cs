using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Validation;

/// <summary>What a workflow is validated against: the activity catalogue, the workflows it may call, and optionally an environment.</summary>
public sealed class ValidationContext(
    ActivityRegistry activities,
    IReadOnlyDictionary<string, WorkflowDefinition>? workflows = null,
    EnvironmentDefinition? environment = null,
    IReadOnlyDictionary<string, string>? missingVersions = null)
{
    /// <summary>Every activity a <c>uses:</c> may name.</summary>
    public ActivityRegistry Activities { get; } = activities;

    /// <summary>
    /// Workflows by id, for <c>workflow.call</c> (the validated workflow need not be among them); a
    /// version that a call pins is keyed <c>id@N</c> (<see cref="DefinitionLibrary.Key"/>).
    /// </summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Workflows { get; } = workflows ?? new Dictionary<string, WorkflowDefinition>();

    /// <summary>When set, literal group and host names are checked against it.</summary>
    public EnvironmentDefinition? Environment { get; } = environment;

    /// <summary>
    /// Pinned versions the definition store was asked for and does not have, keyed <c>id@N</c>, each
    /// with the reason to report. A pinned call found in neither this nor <see cref="Workflows"/> is
    /// checked against the latest version by id, as when no store is at hand.
    /// </summary>
    public IReadOnlyDictionary<string, string> MissingVersions { get; } = missingVersions ?? new Dictionary<string, string>();

    /// <summary>A copy naming an environment.</summary>
    public ValidationContext WithEnvironment(EnvironmentDefinition? environment) => new(Activities, Workflows, environment, MissingVersions);

    /// <summary>The workflow a call runs: its pinned version when known, else the workflow by id (<paramref name="self"/> for a call of itself); null
    /// when unknown or the pinned version is missing.</summary>
    public WorkflowDefinition? Callee(CallStep call, WorkflowDefinition self)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(self);
        if (call.Version is { } version)
        {
            var key = DefinitionLibrary.Key(call.Workflow, version);
            if (Workflows.TryGetValue(key, out var pinned))
            {
                return pinned;
            }

            if (MissingVersions.ContainsKey(key))
            {
                return null; // reported once by the call rules; the latest version says nothing about this call
            }
        }

        return call.Workflow == self.Id ? self : Workflows.GetValueOrDefault(call.Workflow);
    }
}
