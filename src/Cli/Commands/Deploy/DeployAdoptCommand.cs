using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Deploy;

/// <summary>
/// <c>gantry deploy adopt --env ENV [--target GROUP]</c>: records the releases another tool left on each host in
/// Gantry's history (the current one and the older release trees, marked complete as Gantry marks its own), so
/// status names them and rollback without --to can go back to them. Changes no current link and restarts nothing.
/// Exit 0 every host adopted (or nothing to adopt), 1 a host could not be, 2 bad usage.
/// </summary>
public sealed class DeployAdoptCommand(IAnsiConsole console) : AsyncCommand<DeployAdoptCommand.Settings>
{
    public sealed class Settings : DeploySettings
    {
        public Settings()
        {
            Target = "all";
        }

        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json: per host its current release, what was adopted and what was left alone.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        public override ValidationResult Validate() =>
            Output is "text" or "json" ? base.Validate() : ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var session = FleetSession.Open(settings, console);
        // Adopting changes nothing a host serves: every group, live or not.
        var (group, hosts) = await session
            .ResolveAsync(
                new Settings
                {
                    Environment = settings.Environment,
                    Target = settings.Target ?? "all",
                    AllowLive = true,
                },
                cancellationToken)
            .ConfigureAwait(false);
        var adoptions = await session
            .Deployer.AdoptAsync(session.Request(hosts, null, settings.MaxParallel), cancellationToken)
            .ConfigureAwait(false);
        var code = adoptions.All(a => a.Error is null) ? ExitCodes.Ok : ExitCodes.Invalid;
        if (settings.Output == "json")
        {
            var json = new { environment = session.Environment.Id, run = session.RunId, hosts = adoptions };
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
            return code;
        }

        console.MarkupLine(
            $"[bold]adopting releases[/] on {Markup.Escape(group ?? "all")} in {Markup.Escape(session.Environment.Id)}: "
            + $"{Markup.Escape(string.Join(", ", hosts))}");
        foreach (var host in adoptions)
        {
            console.MarkupLine(
                host switch
                {
                    { Error: { } error } => $"[red]✗[/] {Markup.Escape(host.Host)}: {Markup.Escape(error)}",
                    { Current: null } => $"[yellow]-[/] {Markup.Escape(host.Host)}: no current release, nothing to adopt",
                    { Adopted.Count: 0 } =>
                        $"[green]✓[/] {Markup.Escape(host.Host)} on {Markup.Escape(host.Current)}: nothing to adopt (every release is in Gantry's "
                        + "history)",
                    _ =>
                        $"[green]✓[/] {Markup.Escape(host.Host)} on {Markup.Escape(host.Current)}: adopted "
                        + $"{Markup.Escape(string.Join(", ", host.Adopted))}",
                });
            foreach (var skipped in host.Skipped)
            {
                console.MarkupLine($"  [yellow]left alone:[/] {Markup.Escape(skipped)}");
            }
        }

        console.MarkupLine(
            code == ExitCodes.Ok
                ? $"[green bold]adopted: {adoptions.Sum(a => a.Adopted.Count)} releases on {adoptions.Count(a => a.Adopted.Count > 0)} of "
                    + $"{adoptions.Count} hosts[/] (recorded in revisions.log as run {Markup.Escape(session.RunId)})"
                : $"[red bold]adoption failed on "
                    + $"{Markup.Escape(string.Join(", ", adoptions.Where(a => a.Error is not null).Select(a => a.Host)))}[/]");
        return code;
    }
}
