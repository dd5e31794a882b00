using Gantry.Engine.Diagnostics;

namespace Gantry.Engine.Planning;

/// <summary>
/// A dry run of a workflow: every step in execution order with its inputs rendered as far as
/// they can be known before the run, targets explained and secrets masked.
/// </summary>
public sealed record WorkflowPlan(
    string WorkflowId,
    string? Environment,
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyList<PlanNode> Steps,
    IReadOnlyList<PlanNode> OnFailure);

/// <summary>One node of the plan tree.</summary>
/// <param name="Kind">action, call, group, parallel, foreach, item, on_failure or finally.</param>
/// <param name="Label">The step's id, else its name, else what it does.</param>
/// <param name="Path">The structural path of the step in its own workflow.</param>
/// <param name="Uses">The activity (or called workflow) it runs.</param>
/// <param name="Inputs">Rendered inputs; values known only at run time read <see cref="Planner.RuntimeValue"/>.</param>
/// <param name="Target">Which groups or hosts the step acts on, in words.</param>
/// <param name="Condition">The step's <c>if:</c> and what it gives now.</param>
/// <param name="Notes">Timeouts, retries, skips and other remarks.</param>
/// <param name="Children">Nested steps: a block's steps, a called workflow's steps, one node per foreach item.</param>
public sealed record PlanNode(
    string Kind,
    string Label,
    string Path,
    string? Uses,
    IReadOnlyDictionary<string, object?> Inputs,
    string? Target,
    string? Condition,
    IReadOnlyList<string> Notes,
    IReadOnlyList<PlanNode> Children);

/// <summary>The plan, or the problems that kept it from being made.</summary>
public sealed record PlanResult(WorkflowPlan? Plan, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Plan is not null && Diagnostics.Count == 0;
}
