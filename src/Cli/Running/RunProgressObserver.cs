using System.Collections.Concurrent;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Engine.Runtime;
using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>
/// Shows a run as it happens: one line per step transition with its elapsed time, host lines for
/// per-host output and n-of-m progress for multi-host steps; or, with <c>--output json</c>, one
/// journal event per line for machines.
/// </summary>
internal sealed class RunProgressObserver(IAnsiConsole console, bool json) : IJournalObserver
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void OnEvent(RunRecord run, JournalEvent e)
    {
        lock (_gate)
        {
            if (json)
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { run = run.Id, @event = e }, JsonOutput.Options));
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
                    console.MarkupLine($"[{color} bold]run {run.Id} {e.Status.ToString()!.ToLowerInvariant()}[/]{(e.Message is null ? "" : ": " + Markup.Escape(e.Message))}");
                    break;
            }
        }
    }

    private static string Host(JournalEvent e) => e.Host is null ? "" : $" [grey]on {Markup.Escape(e.Host)}[/]";

    private string Elapsed(JournalEvent e) =>
        e.Path is not null && _started.TryGetValue(e.Path, out var start) ? $"{(e.Time - start).TotalSeconds:0.0}s" : "";
}
