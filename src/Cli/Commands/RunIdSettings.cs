using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary>Options of the <c>gantry runs</c> verbs that act on one run: the run store options and the run's id.</summary>
public class RunIdSettings : RunSettings
{
    [CommandArgument(0, "<RUN>")]
    public string Run { get; init; } = "";
}
