using Gantry.Engine.Activities;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Runtime;

/// <summary>
/// A run was refused at its start because the workflow (or a workflow it calls) reads a key the
/// environment does not have, e.g. <c>env.vars.smoke_url</c>; each problem is located.
/// </summary>
public sealed class EnvironmentMismatchException(string workflowId, string environmentId, IReadOnlyList<Diagnostic> problems)
    : ArgumentException(
        $"workflow {workflowId} reads what environment {environmentId} does not have:{Environment.NewLine}  "
        + $"{string.Join(Environment.NewLine + "  ", problems)}")
{
    public IReadOnlyList<Diagnostic> Problems { get; } = problems;

    /// <summary>Throws when the request's workflow reads an <c>env.*</c> or <c>host.vars.*</c> key its environment lacks.</summary>
    internal static void ThrowIfAny(StartRunRequest request, ActivityRegistry activities)
    {
        if (request.Environment is not { } environment)
        {
            return;
        }

        var diagnostics = new DiagnosticBag();
        EnvironmentReferenceRules.Check(request.Workflow, new ValidationContext(activities, request.Library, environment), diagnostics);
        if (diagnostics.Items.Count > 0)
        {
            throw new EnvironmentMismatchException(request.Workflow.Id, environment.Id, diagnostics.Items.Distinct().ToList());
        }
    }
}
