using System.Globalization;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Status;
using Spectre.Console;

namespace Gantry.Cli.Commands.Fleet;

/// <summary>The text form of <c>gantry status</c>: one table row per host, then what needs attention.</summary>
internal static class FleetStatusRenderer
{
    public static void Write(IAnsiConsole console, FleetStatus status)
    {
        var table = new Table().AddColumns("group", "host", "health", "load balancer", "releases (newest first; > current)");
        foreach (var group in status.Groups)
        {
            foreach (var (host, index) in group.Hosts.Select((h, i) => (h, i)))
            {
                table.AddRow(
                    index == 0 ? $"{Markup.Escape(group.Name)} {State(group.State)}" : "",
                    Markup.Escape(host.Name),
                    host.Healthy switch { true => "[green]ok[/]", false => "[red]failing[/]", null => "-" },
                    host.Balancer is { } lb
                        ? (lb.Live ? "[green]live[/]" : "[yellow]out[/]")
                            + $" {lb.Admin.ToString().ToLowerInvariant()}/{lb.Health.ToString().ToLowerInvariant()}, "
                            + $"{lb.Sessions.ToString(CultureInfo.InvariantCulture)} sessions"
                        : "-",
                    Releases(host));
            }
        }

        console.Write(table);
        if (status.LoadBalancerError is { } error)
        {
            console.MarkupLine($"[red]load balancer:[/] {Markup.Escape(error)}");
        }

        foreach (var host in status.Hosts)
        {
            if (host.Error is not null)
            {
                console.MarkupLine($"[red]{Markup.Escape(host.Name)}:[/] {Markup.Escape(host.Error)}");
            }

            if (host.Quarantine is not null)
            {
                console.MarkupLine(
                    $"[red]{Markup.Escape(host.Name)}:[/] {Markup.Escape(host.Quarantine)} (kept out of rotation until lb.ready on it or a deploy "
                    + "that succeeds on it)");
            }

            if (host.Drift is not null)
            {
                console.MarkupLine($"[yellow]{Markup.Escape(host.Name)}:[/] {Markup.Escape(host.Drift)}");
            }

            if (host.HealthProblem is not null)
            {
                console.MarkupLine($"[red]{Markup.Escape(host.Name)} health:[/] {Markup.Escape(host.HealthProblem)}");
            }
        }
    }

    private static string Releases(FleetHostStatus host)
    {
        if (host.Error is not null)
        {
            return "[red]unreadable[/]";
        }

        var lines = host.Releases.Select(r =>
            (r.Current ? "[bold]> " : "  ") + Markup.Escape(r.Name) + (r.Current ? "[/]" : "")
            + (r.Commit is null ? "" : $" [grey]{Markup.Escape(r.Commit)}[/]")
            + (r.At is null ? "" : $" {r.At.Value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}")
            + (r.Action is null ? "" : $" {Markup.Escape(r.Action)}")
            + (r.Run is null ? "" : $" by {Markup.Escape(r.Run)}")).ToList();
        if (host.CurrentIsForeign)
        {
            lines.Insert(0, $"[bold]> {Markup.Escape(host.Current!)}[/] [yellow](deployed by another tool; gantry deploy adopt records it)[/]");
        }
        else if (host.Current is not null && host.Releases.All(r => !r.Current))
        {
            lines.Insert(0, $"[bold]> {Markup.Escape(host.Current)}[/] [red](not a complete release)[/]");
        }

        lines.AddRange(host.Foreign.Where(f => f != host.Current).Select(f => $"  {Markup.Escape(f)} [yellow](another tool's, or unfinished)[/]"));

        return lines.Count == 0 ? "none" : string.Join("\n", lines);
    }

    private static string State(GroupState? state) => state switch
    {
        GroupState.Live => "[green]live[/]",
        GroupState.Out => "[yellow]out[/]",
        GroupState.Inconsistent => "[red]inconsistent[/]",
        _ => "-",
    };
}
