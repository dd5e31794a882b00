using System.ComponentModel;
using Gantry.Cli.Running;
using Gantry.Engine.Schema;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry runs prune --older-than 30d</c>: deletes finished runs (and their journals) that ended before then.</summary>
public sealed class RunsPruneCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunsPruneCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--older-than <DURATION>")]
        [Description("Delete runs that finished longer ago than this, e.g. 30d. Unfinished runs are never deleted.")]
        public string OlderThan { get; init; } = "";

        public override ValidationResult Validate() =>
            Duration.TryParse(OlderThan, out var age) && age >= TimeSpan.Zero
                ? base.Validate()
                : ValidationResult.Error($"--older-than '{OlderThan}' is not a duration such as 30d");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var age = Duration.TryParse(settings.OlderThan, out var parsed)
            ? parsed
            : throw new UsageException($"--older-than '{settings.OlderThan}' is not a duration such as 30d");
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        var cutoff = time.GetUtcNow() - age;
        var pruned = await host.Retention.PruneAsync(cutoff, cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"pruned {pruned} run{(pruned == 1 ? "" : "s")} finished before {cutoff:u}");
        return ExitCodes.Ok;
    }
}
