using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Validation;

/// <summary><c>workflow.call</c>: the called workflow (the pinned version when the store was asked) exists, gets only inputs it declares and all it
/// requires, and no call chain returns to its caller.</summary>
internal static class CallRules
{
    public static void Check(WorkflowDefinition workflow, ValidationContext context, DiagnosticBag diagnostics)
    {
        foreach (var call in workflow.AllSteps().OfType<CallStep>())
        {
            if (string.IsNullOrEmpty(call.Workflow))
            {
                continue; // reported by the binder
            }

            var path = $"{call.Path}.with";
            if (call.Version is { } version && context.MissingVersions.TryGetValue(DefinitionLibrary.Key(call.Workflow, version), out var missing))
            {
                diagnostics.Add(call.VersionLocation, $"{path}.version", missing);
                continue;
            }

            var callee = context.Callee(call, workflow);
            if (callee is null)
            {
                var known = context
                    .Workflows.Keys.Where(k => !k.Contains('@', StringComparison.Ordinal))
                    .Append(workflow.Id)
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToList();
                diagnostics.Add(
                    call.WorkflowLocation,
                    $"{path}.workflow",
                    $"unknown workflow '{call.Workflow}'{Suggest.Hint(call.Workflow, known)} (known workflows: {string.Join(", ", known)})");
                continue;
            }

            CheckInputs(call, callee, path, diagnostics);
            if (FindCycle(workflow, callee, context) is { } cycle)
            {
                diagnostics.Add(
                    call.WorkflowLocation,
                    $"{path}.workflow",
                    $"workflow.call cycle: {string.Join(" → ", cycle)}; a workflow cannot call itself, directly or through others");
            }
        }
    }

    private static void CheckInputs(CallStep call, WorkflowDefinition callee, string path, DiagnosticBag diagnostics)
    {
        var declared = callee.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var entry in call.Inputs?.Entries ?? [])
        {
            if (!declared.TryGetValue(entry.Key, out var input))
            {
                var names = declared.Count == 0 ? "it declares no inputs" : $"it declares: {string.Join(", ", declared.Keys)}";
                diagnostics.Add(
                    entry.KeyLocation,
                    $"{path}.inputs.{entry.Key}",
                    $"workflow '{callee.Id}' has no input '{entry.Key}'{Suggest.Hint(entry.Key, declared.Keys)}; {names}");
            }
            else if (InputRules.Mismatch(entry.Value, input) is { } problem)
            {
                diagnostics.Add(entry.Value, $"{path}.inputs.{entry.Key}", problem);
            }
        }

        foreach (var missing in callee.Inputs.Where(i => i.Required && i.Default is null && call.Inputs?.Find(i.Name) is null))
        {
            var about = missing.Description is null ? missing.Type : $"{missing.Type}: {missing.Description}";
            diagnostics.Add(
                call.Inputs?.Location ?? call.Location,
                $"{path}.inputs",
                $"missing required input '{missing.Name}' of workflow '{callee.Id}' ({about})");
        }
    }

    /// <summary>The call path from <paramref name="workflow"/> back to itself through <paramref name="callee"/>, or null.</summary>
    private static List<string>? FindCycle(WorkflowDefinition workflow, WorkflowDefinition callee, ValidationContext context)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string> { workflow.Id };
        return Search(callee) ? path : null;

        bool Search(WorkflowDefinition current)
        {
            path.Add(current.Id);
            if (current.Id == workflow.Id)
            {
                return true;
            }

            if (visited.Add(current.Id))
            {
                foreach (var next in current.AllSteps().OfType<CallStep>().Select(c => context.Callee(c, workflow)).OfType<WorkflowDefinition>())
                {
                    if (Search(next))
                    {
                        return true;
                    }
                }
            }

            path.RemoveAt(path.Count - 1);
            return false;
        }
    }
}
