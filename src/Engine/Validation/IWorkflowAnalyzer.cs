using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>
/// An extra validation rule run after the built-in ones (e.g. the load-balancer capacity check of
/// the providers assembly). Register it in DI as <c>IWorkflowAnalyzer</c>; the validator receives all of them.
/// </summary>
public interface IWorkflowAnalyzer
{
    /// <summary>Every problem this rule finds, each located in the document.</summary>
    IEnumerable<Diagnostic> Analyze(WorkflowDefinition workflow, ValidationContext context);
}
