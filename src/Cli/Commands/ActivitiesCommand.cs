using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Engine.Activities;
using Gantry.Engine.Plugins;
using Gantry.Engine.Schema;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry activities [--output json]</c>: every activity workflows can use, with its inputs, and the plugins that failed to
/// load.</summary>
public sealed class ActivitiesCommand(IAnsiConsole console, ActivityRegistry activities, PluginLoadReport plugins)
    : AsyncCommand<ActivitiesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        public override ValidationResult Validate() =>
            Output is "text" or "json"
                ? ValidationResult.Success()
                : ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Output == "json")
        {
            WriteJson();
        }
        else
        {
            WriteText();
        }

        // Listing still works with a broken plugin; the exit code tells scripts that one is broken.
        return Task.FromResult(plugins.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid);
    }

    private string Source(ActivityDescriptor descriptor) =>
        plugins.PluginOf(descriptor.Name) is { } plugin ? $"plugin {plugin.Name}" : descriptor.ImplementationType.Assembly.GetName().Name ?? "";

    private void WriteText()
    {
        foreach (var activity in activities.All)
        {
            console.MarkupLine($"[bold]{Markup.Escape(activity.Name)}[/] ({Markup.Escape(Source(activity))}) {Markup.Escape(activity.Description)}");
            foreach (var input in activity.Inputs.Properties)
            {
                console.WriteLine($"    {input.Name}: {Describe(input)}");
            }
        }

        foreach (var failure in plugins.Failures)
        {
            console.MarkupLine($"[red]plugin failed:[/] {Markup.Escape(failure.ToString())}");
        }
    }

    private static string Describe(PropertyShape input)
    {
        var parts = new List<string> { input.Shape.Describe() };
        if (input.Required)
        {
            parts.Add("required");
        }
        else if (input.DefaultValue is { } value)
        {
            parts.Add($"default {JsonSerializer.Serialize(PlainValue.FromTyped(value), JsonOutput.Options)}");
        }

        return input.Description is { Length: > 0 } description ? $"{string.Join(", ", parts)} - {description}" : string.Join(", ", parts);
    }

    private void WriteJson()
    {
        var report = new
        {
            plugins_folder = plugins.Folder,
            activities = activities.All.Select(a => new
            {
                name = a.Name,
                provider = a.Provider,
                source = Source(a),
                description = a.Description,
                waits = a.Waits,
                inputs = a.Inputs.Properties.Select(p => new
                {
                    name = p.Name,
                    type = p.Shape.Describe(),
                    required = p.Required,
                    @default = p.Required ? null : PlainValue.FromTyped(p.DefaultValue),
                    description = p.Description,
                }),
                outputs = a.Outputs.Properties.Select(p => new { name = p.Name, type = p.Shape.Describe(), description = p.Description }),
            }),
            plugins = plugins.Loaded.Select(p => new { name = p.Name, path = p.Path, activities = p.Activities }),
            failures = plugins.Failures.Select(f => new { path = f.Path, reason = f.Reason }),
        };
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
    }
}
