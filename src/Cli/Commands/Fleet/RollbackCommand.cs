using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Fleet;

/// <summary>
/// <c>gantry rollback --env ENV [--to TAG] [--fetch]</c>: runs the workspace's <c>rollback</c> workflow
/// here, exactly as <c>gantry run rollback</c> would, with the same live progress and exit codes.
/// </summary>
public sealed class RollbackCommand(IAnsiConsole console, ActivityRegistry activities, WorkflowValidator validator, TimeProvider time)
    : AsyncCommand<RollbackCommand.Settings>
{
    /// <summary>The workflow that rolls an environment back (workflows/rollback.yaml).</summary>
    public const string Workflow = "rollback";

    public sealed class Settings : RunSettings
    {
        [CommandOption("--env <ENV>")]
        [Description("Environment id (under workflows/environments/) or path.")]
        public string? Environment { get; init; }

        [CommandOption("--to <TAG>")]
        [Description("The release to go back to; default the release the hosts ran before the newest deploy.")]
        public string? To { get; init; }

        [CommandOption("--fetch")]
        [Description("Clone the release again on hosts that no longer keep it, instead of refusing.")]
        public bool Fetch { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Environment)
                ? ValidationResult.Error("--env is required: the environment to roll back, e.g. --env prod")
                : base.Validate();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var inputs = new List<string>();
        if (!string.IsNullOrWhiteSpace(settings.To))
        {
            inputs.Add($"to={settings.To}");
        }

        if (settings.Fetch)
        {
            inputs.Add("fetch=true");
        }

        var run = new RunCommand.Settings
        {
            Workflow = Workflow,
            Environment = settings.Environment,
            Inputs = [.. inputs],
            Db = settings.Db,
            Output = settings.Output,
            Workspace = settings.Workspace,
        };
        return new RunCommand(console, activities, validator, time).ExecuteAsync(context, run, cancellationToken);
    }
}
