using System.ComponentModel;
using Gantry.Providers.Git;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Deploy;

/// <summary>
/// <c>gantry deploy --env ENV --target out|GROUP --ref stable|TAG</c>: resolves the ref on origin
/// like <c>git.latest-tag</c>, then deploys it to the target's hosts like <c>deploy.release</c>.
/// </summary>
public sealed class DeployCommand(IAnsiConsole console) : AsyncCommand<DeployCommand.Settings>
{
    public sealed class Settings : DeploySettings
    {
        [CommandOption("--ref <REF>")]
        [Description("stable (highest vX.Y.Z without pre-release), latest, or an exact tag.")]
        [DefaultValue("stable")]
        public string Ref { get; init; } = "stable";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var session = FleetSession.Open(settings, console);
        var (group, hosts) = await session.ResolveAsync(settings, cancellationToken).ConfigureAwait(false);
        var tag = (
            await GitWorkspaceFactory
                .LatestTagAsync(session.Environment, session.DataDirectory, session.Secrets, settings.Ref, cancellationToken)
                .ConfigureAwait(false)
        ).Tag;
        console.MarkupLine(
            $"[bold]deploying {Markup.Escape(tag)}[/] ({Markup.Escape(settings.Ref)}) to {Markup.Escape(group)} in "
            + $"{Markup.Escape(session.Environment.Id)}: {Markup.Escape(string.Join(", ", hosts))}");
        var result = await session.Deployer.DeployAsync(session.Request(hosts, tag, settings.MaxParallel), cancellationToken).ConfigureAwait(false);
        var code = session.Report(result, $"deployed {tag} to {group}", $"deploy of {tag} to {group} failed");
        if (code != ExitCodes.Ok)
        {
            console.MarkupLine($"To roll back: gantry deploy rollback --env {Markup.Escape(session.Environment.Id)} --target {Markup.Escape(group)}");
        }

        return code;
    }
}
