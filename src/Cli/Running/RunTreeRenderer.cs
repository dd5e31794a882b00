using System.Globalization;
using Gantry.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gantry.Cli.Running;

/// <summary>Draws a <see cref="RunTree"/> as a Spectre <see cref="Tree"/>: a glyph per state, elapsed time, host counts.</summary>
internal static class RunTreeRenderer
{
    public static IRenderable Render(RunTree run, DateTimeOffset now)
    {
        var tree = new Tree(Title(run)) { Guide = TreeGuide.Line };
        foreach (var node in run.Roots)
        {
            Add(tree.AddNode(Line(node, now)), node, now);
        }

        return tree;
    }

    private static void Add(TreeNode parent, RunTreeNode node, DateTimeOffset now)
    {
        if (node.State == StepState.Running && node.LastLog is { } log)
        {
            parent.AddNode($"[grey]{Markup.Escape(log)}[/]");
        }

        foreach (var child in node.Children)
        {
            Add(parent.AddNode(Line(child, now)), child, now);
        }
    }

    private static string Title(RunTree run)
    {
        var status = run.Status is { } s ? s.ToString().ToLowerInvariant() : "starting";
        var color = run.Status switch
        {
            RunStatus.Succeeded => "green",
            RunStatus.Failed or RunStatus.Cancelled => "red",
            RunStatus.Waiting => "yellow",
            _ => "blue",
        };
        var what = $"{run.Run.WorkflowId} on {run.Run.EnvironmentId ?? "no environment"}";
        return $"[bold]run {Markup.Escape(run.Run.Id)}[/] {Markup.Escape(what)} "
            + $"[{color}]{status}[/]{(run.Message is null ? "" : ": " + Markup.Escape(run.Message))}";
    }

    /// <summary>One step's line, e.g. <c>✓ tag (git.latest-tag) 0.3s</c>.</summary>
    public static string Line(RunTreeNode node, DateTimeOffset now)
    {
        if (node.IsItem)
        {
            return $"[bold]{Markup.Escape(node.Label)}[/]";
        }

        var label = Markup.Escape(node.Activity is null || node.Activity == node.Label ? node.Label : $"{node.Label} ({node.Activity})");
        var host = node.Host is null || node.Parent?.IsItem == true ? "" : $" [grey]on {Markup.Escape(node.Host)}[/]";
        var elapsed = Elapsed(node, now) is { } time ? $" [grey]{time}[/]" : "";
        var hosts = node.Hosts is var (done, total, failed)
            ? $" [{(failed > 0 ? "red" : "grey")}]hosts {done}/{total} done{(failed > 0 ? $", {failed} failed" : "")}[/]"
            : "";
        var note = node.Note is null ? "" : $" [{NoteColor(node.State)}]{Markup.Escape(node.Note)}[/]";
        return $"{Glyph(node.State)} {label}{host}{elapsed}{hosts}{note}";
    }

    private static string Glyph(StepState state) => state switch
    {
        StepState.Pending => "[grey]○[/]",
        StepState.Running => "[blue]▶[/]",
        StepState.Succeeded => "[green]✓[/]",
        StepState.Failed => "[red]✗[/]",
        StepState.Skipped => "[grey]-[/]",
        StepState.Waiting => "[yellow]⏸[/]",
        _ => "?",
    };

    private static string NoteColor(StepState state) => state switch
    {
        StepState.Failed => "red",
        StepState.Waiting or StepState.Running => "yellow",
        _ => "grey",
    };

    private static string? Elapsed(RunTreeNode node, DateTimeOffset now)
    {
        if (node.Started is not { } started || node.State is StepState.Pending or StepState.Skipped or StepState.Waiting)
        {
            return null;
        }

        var elapsed = (node.Ended ?? now) - started;
        return elapsed < TimeSpan.Zero ? "0.0s" : elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
    }
}
