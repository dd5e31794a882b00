using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>Input declarations: a default (or a value passed by a caller) must match the declared type and choices.</summary>
internal static class InputRules
{
    public static void Check(WorkflowDefinition workflow, DiagnosticBag diagnostics)
    {
        foreach (var input in workflow.Inputs)
        {
            if (input.Default is { } value && Mismatch(value, input) is { } problem)
            {
                diagnostics.Add(value, $"inputs.{input.Name}.default", problem);
            }
        }
    }

    /// <summary>Why <paramref name="value"/> does not fit the input, or null when it does (templates are only known at run time).</summary>
    public static string? Mismatch(DocNode value, InputDeclaration input)
    {
        if (value is DocScalar { Kind: ScalarKind.Null } or DocScalar { IsTemplate: true })
        {
            return null;
        }

        var fits = input.Type switch
        {
            "string" => value is DocScalar,
            "integer" => value is DocScalar { Kind: ScalarKind.Integer },
            "number" => value is DocScalar { Kind: ScalarKind.Integer or ScalarKind.Number },
            "boolean" => value is DocScalar { Kind: ScalarKind.Boolean },
            "array" => value is DocSequence,
            "object" => value is DocMapping,
            _ => true,
        };
        if (!fits)
        {
            return $"expected {Describe(input.Type)}, found {Found(value)}";
        }

        if (input.Choices is { Count: > 0 } choices && value is DocScalar scalar && !choices.Contains(scalar.Text ?? ""))
        {
            return $"expected one of {string.Join(", ", choices)}, found '{scalar.Text}'{Suggest.Hint(scalar.Text ?? "", choices)}";
        }

        return null;
    }

    private static string Describe(string type) => type switch
    {
        "array" => "a list",
        "object" => "a mapping",
        "integer" => "an integer",
        "boolean" => "true or false",
        _ => $"a {type}",
    };

    internal static string Found(DocNode node) => node switch
    {
        DocScalar { Kind: ScalarKind.Null } => "nothing (null)",
        DocScalar scalar => $"'{scalar.Text}'",
        DocSequence => "a list",
        _ => "a mapping",
    };
}
