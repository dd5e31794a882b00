using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>
/// Checks a loaded workflow against the activity catalogue, the workflows it calls and optionally an
/// environment, and returns every problem at once, each with file:line:column, field path, what was
/// found and what was expected. Registered analyzers run after the built-in rules.
/// </summary>
public sealed class WorkflowValidator
{
    private readonly IReadOnlyList<IWorkflowAnalyzer> _analyzers;

    public WorkflowValidator()
        : this([])
    {
    }

    public WorkflowValidator(IEnumerable<IWorkflowAnalyzer> analyzers) => _analyzers = analyzers.ToList();

    public IReadOnlyList<Diagnostic> Validate(WorkflowDefinition workflow, ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(context);

        var diagnostics = new DiagnosticBag();
        InputRules.Check(workflow, diagnostics);
        StepRules.Check(workflow, context, diagnostics);
        CallRules.Check(workflow, context, diagnostics);
        new ReferenceRules(workflow, context, diagnostics).Check();
        if (context.Environment is not null)
        {
            EnvironmentTargetRules.Check(workflow, context.Environment, diagnostics);
            EnvironmentReferenceRules.Check(workflow, context, diagnostics);
        }

        foreach (var analyzer in _analyzers)
        {
            try
            {
                diagnostics.AddRange(analyzer.Analyze(workflow, context));
            }
            catch (Exception ex)
            {
                // A broken extension must not hide the other findings; it is reported like one.
                diagnostics.Add(workflow.Location, "", $"analyzer {analyzer.GetType().Name} failed: {ex.Message}");
            }
        }

        return diagnostics.Items.Distinct().ToList();
    }
}
