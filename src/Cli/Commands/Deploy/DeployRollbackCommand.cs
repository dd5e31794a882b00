using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Deploy;

/// <summary><c>gantry deploy rollback --env ENV --target GROUP [--to TAG]</c>: the group's hosts back on their previous release (or TAG), restarted
/// and checked.</summary>
public sealed class DeployRollbackCommand(IAnsiConsole console) : AsyncCommand<DeployRollbackCommand.Settings>
{
    public sealed class Settings : DeploySettings
    {
        [CommandOption("--to <TAG>")]
        [Description("The release to go back to (it must still be on the hosts); default each host's previous release.")]
        public string? To { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var session = FleetSession.Open(settings, console);
        var (group, hosts) = await session.ResolveAsync(settings, cancellationToken).ConfigureAwait(false);
        var to = settings.To ?? "the previous release";
        console.MarkupLine(
            $"[bold]rolling back {Markup.Escape(group)}[/] in {Markup.Escape(session.Environment.Id)} to {Markup.Escape(to)}: "
            + $"{Markup.Escape(string.Join(", ", hosts))}");
        var result = await session
            .Deployer.RollbackAsync(session.Request(hosts, settings.To, settings.MaxParallel), cancellationToken)
            .ConfigureAwait(false);
        return session.Report(result, $"rolled back {group}", $"rollback of {group} failed");
    }
}
