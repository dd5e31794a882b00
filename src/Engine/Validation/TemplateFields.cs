using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>Finds the template strings of a workflow, each with its field path.</summary>
internal static class TemplateFields
{
    /// <summary>Template scalars a step evaluates itself (not those of its children).</summary>
    public static IEnumerable<(DocScalar Scalar, string Path)> OfStep(StepNode step)
    {
        var fields = new List<(DocScalar, string)>();
        if (step.If is { } condition)
        {
            fields.AddRange(In(condition, $"{step.Path}.if"));
        }

        switch (step)
        {
            case ActionStep { With: { } with }:
                fields.AddRange(In(with, $"{step.Path}.with"));
                break;
            case CallStep { Inputs: { } inputs }:
                fields.AddRange(In(inputs, $"{step.Path}.with.inputs"));
                break;
            case ForeachStep foreach_:
                fields.AddRange(In(foreach_.Items, $"{step.Path}.foreach"));
                break;
        }

        return fields;
    }

    /// <summary>Every template scalar inside a document value.</summary>
    public static IEnumerable<(DocScalar Scalar, string Path)> In(DocNode node, string path) => node switch
    {
        DocScalar { IsTemplate: true } scalar => [(scalar, path)],
        DocSequence sequence => sequence.Items.SelectMany((item, i) => In(item, $"{path}[{i}]")),
        DocMapping mapping => mapping.Entries.SelectMany(e => In(e.Value, $"{path}.{e.Key}")),
        _ => [],
    };

    /// <summary>The position of a character of a scalar's text in its document.</summary>
    public static SourceLocation At(DocScalar scalar, int offset)
    {
        if (scalar.Location.Line == 0 || scalar.Text is null)
        {
            return scalar.Location;
        }

        var before = scalar.Text.AsSpan(0, Math.Min(offset, scalar.Text.Length));
        var newlines = before.Count('\n');
        if (newlines == 0)
        {
            return scalar.Location with { Column = scalar.Location.Column + (scalar.Quoted ? 1 : 0) + offset };
        }

        return scalar.Location with { Line = scalar.Location.Line + newlines, Column = offset - before.LastIndexOf('\n') };
    }
}
