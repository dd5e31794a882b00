using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>
/// Where the walk is: the workflow whose steps are being followed, what its inputs and loop
/// variables are known to be (null: not known statically), and, inside a called workflow, the
/// call step of the validated workflow that problems are reported at.
/// </summary>
internal sealed partial record CapacityScope(
    WorkflowDefinition Workflow,
    ImmutableDictionary<string, DocNode?> Inputs,
    ImmutableDictionary<string, string?> Loop,
    CallStep? Site,
    ImmutableList<string> Calls)
{
    public static CapacityScope For(WorkflowDefinition workflow) =>
        new(workflow, Defaults(workflow), ImmutableDictionary<string, string?>.Empty, null, [workflow.Id]);

    /// <summary>The scope of a called workflow: its defaults overridden by the inputs the call passes.</summary>
    public CapacityScope Enter(CallStep call, WorkflowDefinition callee)
    {
        var inputs = Defaults(callee);
        foreach (var entry in call.Inputs?.Entries ?? [])
        {
            inputs = inputs.SetItem(entry.Key, Resolve(entry.Value));
        }

        return new CapacityScope(callee, inputs, ImmutableDictionary<string, string?>.Empty, Site ?? call, Calls.Add(callee.Id));
    }

    public CapacityScope WithLoop(string name, string? value) => this with { Loop = Loop.SetItem(name, value) };

    /// <summary>How a step is named in messages: its path, its id, and the workflow when it is a called one.</summary>
    public string Name(StepNode step)
    {
        var name = step.Id is null ? step.Path : $"{step.Path} ({step.Id})";
        return Site is null ? name : $"{Workflow.Id} {name}";
    }

    /// <summary>The names a value stands for: a list or one name; null when a template cannot be resolved here.</summary>
    public IReadOnlyList<string>? Names(DocNode? node)
    {
        switch (Resolve(node))
        {
            case DocScalar { Kind: ScalarKind.String, IsTemplate: false, Text: { } text }:
                return [text];
            case DocSequence sequence:
                var names = sequence.Items.Select(Scalar).ToList();
                return names.Any(n => n is null) ? null : names.Select(n => n!).ToList();
            default:
                return null;
        }
    }

    /// <summary>A value with whole-value templates over inputs and loop variables replaced; null when unresolvable.</summary>
    public DocNode? Resolve(DocNode? node)
    {
        switch (node)
        {
            case DocScalar { IsTemplate: true, Text: { } text } scalar:
                var match = WholeTemplate().Match(text);
                if (!match.Success)
                {
                    return null;
                }

                var (root, member) = (match.Groups["root"].Value, match.Groups["member"].Value);
                if (root == "inputs" && member.Length > 0)
                {
                    return Inputs.GetValueOrDefault(member);
                }

                return member is "" or "name" && Loop.TryGetValue(root, out var value) && value is not null
                    ? new DocScalar(value, ScalarKind.String, scalar.Location)
                    : null;
            case DocSequence sequence:
                var items = sequence.Items.Select(Resolve).ToList();
                return items.Any(i => i is null) ? null : new DocSequence(items!, sequence.Location);
            default:
                return node;
        }
    }

    private string? Scalar(DocNode item) =>
        Resolve(item) is DocScalar { Kind: ScalarKind.String, IsTemplate: false, Text: { } text } ? text : null;

    private static ImmutableDictionary<string, DocNode?> Defaults(WorkflowDefinition workflow) =>
        workflow.Inputs.ToImmutableDictionary(
            i => i.Name,
            i => i.Default is DocScalar { IsTemplate: true } ? null : i.Default,
            StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*\{\{\s*(?<root>[A-Za-z_]\w*)(?:\.(?<member>[A-Za-z_]\w*))?\s*\}\}\s*$")]
    private static partial Regex WholeTemplate();
}
