using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Planning;

/// <summary>Inputs given as <c>--input key=value</c>: values read as YAML scalars and checked against the declarations.</summary>
internal static class PlanInputs
{
    public static Dictionary<string, object?> Parse(WorkflowDefinition workflow, IReadOnlyDictionary<string, string> given, DiagnosticBag diagnostics)
    {
        var declared = workflow.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, text) in given)
        {
            if (!declared.TryGetValue(name, out var input))
            {
                var names = declared.Count == 0 ? "it declares no inputs" : $"it declares: {string.Join(", ", declared.Keys)}";
                diagnostics.Add(
                    SourceLocation.None,
                    $"--input {name}",
                    $"workflow '{workflow.Id}' has no input '{name}'{Suggest.Hint(name, declared.Keys)}; {names}");
                continue;
            }

            var node = Read(text);
            if (InputRules.Mismatch(node, input) is { } problem)
            {
                diagnostics.Add(SourceLocation.None, $"--input {name}", problem);
                continue;
            }

            values[name] = PlainValue.FromDoc(node);
        }

        foreach (var missing in workflow.Inputs.Where(i => i.Required && i.Default is null && !given.ContainsKey(i.Name)))
        {
            diagnostics.Add(
                SourceLocation.None,
                "--input",
                $"missing required input '{missing.Name}' ({missing.Type}{(missing.Description is null ? "" : ": " + missing.Description)}); pass "
                + $"--input {missing.Name}=<value>");
        }

        return values;
    }

    /// <summary>A value as YAML reads it (3 is a number, true a boolean, [a, b] a list); anything unreadable is text.</summary>
    public static DocNode Read(string text)
    {
        try
        {
            return DocumentReader.Parse(text, "input.yaml");
        }
        catch (DocumentSyntaxException)
        {
            return new DocScalar(text, ScalarKind.String, SourceLocation.None);
        }
    }
}
