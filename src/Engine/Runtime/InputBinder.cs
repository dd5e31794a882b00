using System.Globalization;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>Applies declared defaults and types to the inputs a run was given, reporting every problem at once.</summary>
public static class InputBinder
{
    /// <summary>Parses <c>k=v</c> strings from the command line; values are read as YAML scalars (3 is a number, true a boolean).</summary>
    public static Dictionary<string, object?> ParseAssignments(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--input '{assignment}' is not of the form name=value");
            }

            result[assignment[..equals]] = assignment[(equals + 1)..];
        }

        return result;
    }

    public static IReadOnlyDictionary<string, object?> Bind(WorkflowDefinition workflow, IReadOnlyDictionary<string, object?> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(workflow);

        var errors = new List<string>();
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(k => workflow.Inputs.All(i => i.Name != k)))
        {
            errors.Add(
                $"unknown input '{name}'{Suggest.Hint(name, workflow.Inputs.Select(i => i.Name))}; {workflow.Id} declares: "
                + $"{string.Join(", ", workflow.Inputs.Select(i => i.Name))}");
        }

        foreach (var input in workflow.Inputs)
        {
            if (given.TryGetValue(input.Name, out var value))
            {
                var converted = Convert(input, value, errors);
                result[input.Name] = converted;
            }
            else if (input.Default is not null)
            {
                result[input.Name] = Schema.PlainValue.FromDoc(input.Default);
            }
            else if (input.Required)
            {
                errors.Add($"missing required input '{input.Name}' ({input.Type}{(input.Description is null ? "" : ": " + input.Description)})");
            }
            else
            {
                result[input.Name] = null;
            }
        }

        return errors.Count == 0
            ? result
            : throw new ArgumentException(
                $"invalid inputs for workflow {workflow.Id}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
    }

    private static object? Convert(InputDeclaration input, object? value, List<string> errors)
    {
        if (value is not string text)
        {
            return value;
        }

        object? converted = input.Type switch
        {
            "integer" => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null,
            "number" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
            "boolean" => bool.TryParse(text, out var b) ? b : null,
            "array" or "object" => TryParseDocument(text),
            _ => text,
        };
        if (converted is null)
        {
            errors.Add($"input '{input.Name}' expects {input.Type}, got '{text}'");
        }
        else if (input.Choices is { Count: > 0 } choices && !choices.Contains(text))
        {
            errors.Add($"input '{input.Name}' must be one of {string.Join(", ", choices)}, got '{text}'");
        }

        return converted;
    }

    private static object? TryParseDocument(string text)
    {
        try
        {
            return Schema.PlainValue.FromDoc(DocumentReader.Parse(text, "--input"));
        }
        catch (DocumentSyntaxException)
        {
            return null;
        }
    }
}
