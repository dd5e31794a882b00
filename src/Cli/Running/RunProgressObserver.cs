using System.Collections.Concurrent;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gantry.Cli.Running;

/// <summary>How a command shows a run's progress.</summary>
internal enum ProgressMode
{
    /// <summary>One line per step transition (output is not a terminal).</summary>
    Lines,

    /// <summary>One journal event per line as JSON (<c>--output json</c>).</summary>
    Json,

    /// <summary>A step tree redrawn in place (an interactive terminal).</summary>
    Live,
}

/// <summary>
/// Shows a run as it happens: one line per step transition with its elapsed time, host lines for
/// per-host output and n-of-m progress for multi-host steps; in a terminal, a live step tree
/// (<see cref="LiveRunDisplay"/>); or, with <c>--output json</c>, one journal event per line for
/// machines. Called from engine threads, so every path takes the same lock.
/// </summary>
internal sealed class RunProgressObserver(IAnsiConsole console, ProgressMode mode, TimeProvider time) : IJournalObserver
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunTree> _trees = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ProgressMode Mode => mode;

    /// <summary>Feeds the live tree events written before this command started (a resumed run shows its finished steps).</summary>
    public void Preload(RunRecord run, IEnumerable<JournalEvent> events)
    {
        if (mode != ProgressMode.Live)
        {
            return;
        }

        lock (_gate)
        {
            var tree = Tree(run);
            foreach (var e in events)
            {
                tree.Apply(e);
            }
        }
    }

    /// <summary>The live tree of every run seen, as of now.</summary>
    public IRenderable Render()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return _trees.Count == 1
                ? RunTreeRenderer.Render(_trees.Values.First(), now)
                : new Rows(_trees.Values.Select(t => RunTreeRenderer.Render(t, now)));
        }
    }

    public void OnEvent(RunRecord run, JournalEvent e)
    {
        lock (_gate)
        {
            switch (mode)
            {
                case ProgressMode.Json:
                    console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { run = run.Id, @event = e }, JsonOutput.Lines));
                    return;
                case ProgressMode.Live:
                    Tree(run).Apply(e);
                    return;
            }

            var depth = e.Path is null ? 0 : e.Path.Count(c => c == '/') + e.Path.Count(c => c == '.');
            var indent = new string(' ', 2 + Math.Min(depth, 8) * 2);
            var label = Markup.Escape($"{e.StepId ?? e.Path} {(e.Activity is null ? "" : "(" + e.Activity + ")")}".Trim());
            switch (e.Type)
            {
                case JournalEventTypes.RunStarted:
                    console.MarkupLine($"[bold]run {run.Id}[/] {Markup.Escape(e.Message ?? "")}");
                    break;
                case JournalEventTypes.RunResumed:
                    console.MarkupLine($"[bold]run {run.Id}[/] resumed");
                    break;
                case JournalEventTypes.StepStarted:
                    _started[e.Path!] = e.Time;
                    console.MarkupLine($"{indent}[blue]▶[/] {label}{Host(e)}");
                    break;
                case JournalEventTypes.StepSucceeded:
                    console.MarkupLine($"{indent}[green]✓[/] {label}{Host(e)} [grey]{Elapsed(e)}[/]");
                    break;
                case JournalEventTypes.StepFailed:
                    console.MarkupLine($"{indent}[red]✗[/] {label}{Host(e)} [grey]{Elapsed(e)}[/] [red]{Markup.Escape(e.Error?.Message ?? "")}[/]");
                    break;
                case JournalEventTypes.StepSkipped:
                    console.MarkupLine($"{indent}[grey]- {label} skipped: {Markup.Escape(e.Message ?? "")}[/]");
                    break;
                case JournalEventTypes.StepWaiting:
                    console.MarkupLine($"{indent}[yellow]⏸[/] {label} waiting for {Markup.Escape(e.Wait?.Description ?? "")}");
                    break;
                case JournalEventTypes.StepRetrying:
                    console.MarkupLine($"{indent}[yellow]↻[/] {label} {Markup.Escape(e.Message ?? "")}");
                    break;
                case JournalEventTypes.Progress:
                    console.MarkupLine($"{indent}  [grey]hosts: {Markup.Escape(e.Message ?? "")}[/]");
                    break;
                case JournalEventTypes.Log:
                    console.MarkupLine($"{indent}  [grey]{Markup.Escape(e.Host is null ? "" : e.Host + ": ")}{Markup.Escape(e.Message ?? "")}[/]");
                    break;
                case JournalEventTypes.RunFinished:
                    var color = e.Status == RunStatus.Succeeded ? "green" : "red";
                    console.MarkupLine(
                        $"[{color} bold]run {run.Id} "
                        + $"{e.Status.ToString()!.ToLowerInvariant()}[/]{(e.Message is null ? "" : ": " + Markup.Escape(e.Message))}");
                    break;
            }
        }
    }

    private RunTree Tree(RunRecord run)
    {
        if (!_trees.TryGetValue(run.Id, out var tree))
        {
            tree = new RunTree(run);
            _trees[run.Id] = tree;
        }

        return tree;
    }

    private static string Host(JournalEvent e) => e.Host is null ? "" : $" [grey]on {Markup.Escape(e.Host)}[/]";

    private string Elapsed(JournalEvent e) =>
        e.Path is not null && _started.TryGetValue(e.Path, out var start) ? $"{(e.Time - start).TotalSeconds:0.0}s" : "";
}
