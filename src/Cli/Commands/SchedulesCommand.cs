using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Engine.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry schedules [--output json]</c>: every <c>on.schedule</c> of the workspace's workflows with its next ticks.</summary>
public sealed class SchedulesCommand(IAnsiConsole console, TimeProvider time) : Command<SchedulesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--count <N>")]
        [Description("How many next ticks to list per schedule.")]
        [DefaultValue(3)]
        public int Count { get; init; } = 3;

        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        [CommandOption("--workspace <DIR>")]
        [Description("The workspace (the folder holding workflows/). Default: found from the current directory upwards.")]
        public string? Workspace { get; init; }

        public override ValidationResult Validate() =>
            Output is not ("text" or "json") ? ValidationResult.Error($"unknown output format '{Output}'; expected text or json")
            : Count < 1 ? ValidationResult.Error("--count must be at least 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var catalog = WorkspaceCatalog.Discover(settings.Workspace ?? Directory.GetCurrentDirectory());
        var rows = catalog.LoadWorkflows().Values
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .SelectMany(w => w.Schedules.Select(s => new
            {
                workflow = w.Id,
                schedule = s.Index,
                cron = s.Cron,
                timezone = s.TimeZone.Id,
                environment = s.Environment,
                missed = s.Missed == Engine.Model.MissedTickPolicy.Skip ? "skip" : "run-once",
                inputs = s.Inputs,
                next = Next(s, now, settings.Count).Select(t => TimeZoneInfo.ConvertTime(t, s.TimeZone)).ToList(),
            }))
            .ToList();
        if (settings.Output == "json")
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { schedules = rows }, JsonOutput.Options));
            return ExitCodes.Ok;
        }

        if (rows.Count == 0)
        {
            console.WriteLine($"no workflow in {catalog.WorkflowsFolder} has on.schedule");
            return ExitCodes.Ok;
        }

        foreach (var row in rows)
        {
            var next =
                row.next.Count == 0
                    ? "never again"
                    : string.Join(", ", row.next.Select(t => t.ToString("ddd yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)));
            console.WriteLine(
                $"{row.workflow} [{row.schedule}] \"{row.cron}\" {row.timezone} on {row.environment ?? "(no environment)"}, missed: {row.missed}; "
                + $"next: {next}");
        }

        return ExitCodes.Ok;
    }

    private static IEnumerable<DateTimeOffset> Next(Engine.Model.ScheduleDeclaration schedule, DateTimeOffset from, int count)
    {
        for (var i = 0; i < count && schedule.NextAfter(from) is { } next; i++)
        {
            yield return next;
            from = next;
        }
    }
}
