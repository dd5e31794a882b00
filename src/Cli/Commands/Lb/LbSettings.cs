using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Lb;

/// <summary>What every <c>gantry lb</c> verb takes: the environment whose load balancer to use.</summary>
public class LbSettings : CommandSettings
{
    [CommandOption("--env <ENV>")]
    [Description("Environment id (under workflows/environments/) or path.")]
    public string? Environment { get; init; }

    [CommandOption("--db <DB>")]
    [Description(
        "The store holding the quarantined hosts (shared with the servers and workers): a SQLite file (default .gantry/gantry.db) or a PostgreSQL "
        + "connection string. Also GANTRY_DB.")]
    public string? Db { get; init; }

    [CommandOption("--output <FORMAT>")]
    [Description("text (default) or json: the groups and servers after the action.")]
    [DefaultValue("text")]
    public string Output { get; init; } = "text";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Environment))
        {
            return ValidationResult.Error("--env is required: the environment whose load balancer to use");
        }

        return Output is "text" or "json"
            ? ValidationResult.Success()
            : ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
    }
}
