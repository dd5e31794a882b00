using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Documents;
using Gantry.Cli.Output;
using Gantry.Engine.Loading;
using Gantry.Providers.Status;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Fleet;

/// <summary>
/// <c>gantry status --env ENV [--output json]</c>: per group and host, the release current points to
/// (read from the host), the releases kept and when and by which run each was made current, the
/// health check's answer and the load balancer's view. Exit 0 when everything could be read, 1 when a
/// host or the load balancer could not.
/// </summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <ENV>")]
        [Description("Environment id (under workflows/environments/) or path.")]
        public string? Environment { get; init; }

        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        [CommandOption("--db <DB>")]
        [Description(
            "The store holding the quarantined hosts (shared with the servers and workers): a SQLite file (default .gantry/gantry.db) or a "
            + "PostgreSQL connection string. Also GANTRY_DB.")]
        public string? Db { get; init; }

        [CommandOption("--workspace <DIR>")]
        [Description("The workspace (the folder holding workflows/ and .gantry/). Default: found from the current directory upwards.")]
        public string? Workspace { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Environment) ? ValidationResult.Error("--env is required: the environment to show, e.g. --env prod")
            : Output is "text" or "json" ? ValidationResult.Success()
            : ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var environment = WorkspaceLookup.LoadEnvironment(settings.Environment!, workspace: settings.Workspace);
        var root = WorkspaceCatalog.Discover(settings.Workspace ?? Directory.GetCurrentDirectory()).Root;
        await using var stores = await Running.WorkspaceStore.OpenAsync(settings.Db, root, null, cancellationToken).ConfigureAwait(false);
        await using var services = new ServiceCollection().AddSingleton(stores.Quarantine).AddGantryProviders().BuildServiceProvider();
        var status = await services.GetRequiredService<FleetStatusReader>()
            .ReadAsync(environment, Path.Combine(root, ".gantry"), cancellationToken).ConfigureAwait(false);
        if (settings.Output == "json")
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(status, JsonOutput.Options));
        }
        else
        {
            FleetStatusRenderer.Write(console, status);
        }

        return status.LoadBalancerError is null && status.Hosts.All(h => h.Error is null) ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
