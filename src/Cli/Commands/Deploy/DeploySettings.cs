using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Deploy;

/// <summary>Options shared by <c>gantry deploy</c> and <c>gantry deploy rollback</c>.</summary>
public class DeploySettings : CommandSettings
{
    [CommandOption("--env <ENV>")]
    [Description("Environment id (under workflows/environments/) or path.")]
    public string? Environment { get; init; }

    [CommandOption("--target <TARGET>")]
    [Description("out (the group the load balancer reports out of rotation now) or a group name.")]
    public string? Target { get; init; }

    [CommandOption("--max-parallel <N>")]
    [Description("Hosts handled at once; 0 (default) means the whole group.")]
    [DefaultValue(0)]
    public int MaxParallel { get; init; }

    [CommandOption("--allow-live")]
    [Description("Allow acting on a group that is live in the load balancer.")]
    public bool AllowLive { get; init; }

    public override ValidationResult Validate() =>
        Environment is null ? ValidationResult.Error("--env is required: the environment to deploy in, e.g. --env sandbox")
        : Target is null ? ValidationResult.Error("--target is required: out, or a group name")
        : MaxParallel < 0 ? ValidationResult.Error($"--max-parallel must be 0 or more, got {MaxParallel}")
        : ValidationResult.Success();
}
