using Gantry.Engine.Expressions;
using Gantry.Engine.Planning;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gantry.Cli.Output;

/// <summary>Prints a plan as a tree: one node per step, its target, condition, inputs and notes under it.</summary>
internal static class PlanRenderer
{
    public static void Write(IAnsiConsole console, WorkflowPlan plan, SecretMasker masker)
    {
        var title =
            $"[bold]plan[/] {Escape(plan.WorkflowId, masker)}{(plan.Environment is null ? "" : $" on [bold]{Escape(plan.Environment, masker)}[/]")}";
        var tree = new Tree(new Markup(title));
        if (plan.Inputs.Count > 0)
        {
            tree.AddNode(
                new Markup(
                    $"[grey]inputs:[/] {string.Join(", ", plan.Inputs.Select(kv => $"{Escape(kv.Key, masker)}={Escape(Text(kv.Value), masker)}"))}"));
        }

        Add(tree, plan.Steps, masker);
        if (plan.OnFailure.Count > 0)
        {
            Add(tree.AddNode(new Markup("[yellow]on_failure[/]")), plan.OnFailure, masker);
        }

        console.Write(tree);
    }

    private static void Add(IHasTreeNodes parent, IEnumerable<PlanNode> nodes, SecretMasker masker)
    {
        foreach (var node in nodes)
        {
            Add(parent.AddNode(Describe(node, masker)), node.Children, masker);
        }
    }

    private static IRenderable Describe(PlanNode node, SecretMasker masker)
    {
        var head = node.Kind switch
        {
            "action" when node.Label == node.Uses => $"[bold aqua]{Escape(node.Uses, masker)}[/]",
            "call" when node.Label.StartsWith("call ", StringComparison.Ordinal) => $"[bold]call[/] [aqua]{Escape(node.Label[5..], masker)}[/]",
            "action" or "call" => $"[bold]{Escape(node.Label, masker)}[/] [aqua]{Escape(node.Uses, masker)}[/]",
            _ when node.Label == node.Kind => $"[bold]{Escape(node.Label, masker)}[/]",
            "item" => $"[green]{Escape(node.Label, masker)}[/]",
            _ => $"[bold]{Escape(node.Label, masker)}[/] [grey]{node.Kind}[/]",
        };
        var lines = new List<IRenderable> { new Markup(head) };
        if (node.Target is not null)
        {
            lines.Add(new Markup($"  [grey]target:[/] {Escape(node.Target, masker)}"));
        }

        if (node.Condition is not null)
        {
            lines.Add(new Markup($"  [grey]{Escape(node.Condition, masker)}[/]"));
        }

        lines.AddRange(node.Inputs.Select(kv => new Markup($"  [grey]{Escape(kv.Key, masker)}:[/] {Escape(Text(kv.Value), masker)}")));
        lines.AddRange(node.Notes.Select(n => new Markup($"  [grey italic]{Escape(n, masker)}[/]")));
        return lines.Count == 1 ? lines[0] : new Rows(lines);
    }

    private static string Escape(string? text, SecretMasker masker) => Markup.Escape(masker.Apply(text ?? ""));

    private static string Text(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        IReadOnlyDictionary<string, object?> map => "{ " + string.Join(", ", map.Select(kv => $"{kv.Key}: {Text(kv.Value)}")) + " }",
        IEnumerable<object?> items => "[" + string.Join(", ", items.Select(Text)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
