using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Validation;

/// <summary>Each action step names a known activity and gives it inputs of the declared shape; step ids are unique.</summary>
internal static class StepRules
{
    public static void Check(WorkflowDefinition workflow, ValidationContext context, DiagnosticBag diagnostics)
    {
        var seen = new Dictionary<string, StepNode>(StringComparer.Ordinal);
        foreach (var step in workflow.AllSteps())
        {
            if (step.Id is { } id)
            {
                if (seen.TryGetValue(id, out var first))
                {
                    diagnostics.Add(
                        step.Location,
                        $"{step.Path}.id",
                        $"duplicate step id '{id}': already used by {first.Path} at {first.Location}; step ids must be unique in a workflow");
                }
                else
                {
                    seen[id] = step;
                }
            }

            if (step is ActionStep action)
            {
                CheckAction(action, context, diagnostics);
            }
        }
    }

    private static void CheckAction(ActionStep step, ValidationContext context, DiagnosticBag diagnostics)
    {
        if (string.IsNullOrEmpty(step.Uses))
        {
            return; // the binder already said what is wrong with 'uses'
        }

        if (!context.Activities.TryGet(step.Uses, out var activity))
        {
            var names = context.Activities.Names.Append("workflow.call").ToList();
            diagnostics.Add(step.UsesLocation, $"{step.Path}.uses", $"unknown activity '{step.Uses}'{Suggest.Hint(step.Uses, names)}");
            return;
        }

        var with = step.With ?? new DocMapping([], step.Location);
        ObjectBinder.Bind(with, activity.Inputs, $"{step.Path}.with", diagnostics, allowTemplates: true);
    }
}
