using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Documents;
using Gantry.Cli.Output;
using Gantry.Engine.Activities;
using Gantry.Engine.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry validate PATH...</c>: every error of every document, then a summary; exit 0 when all are valid, 1 otherwise.</summary>
public sealed class ValidateCommand(IAnsiConsole console, ActivityRegistry activities, WorkflowValidator validator)
    : AsyncCommand<ValidateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PATH>")]
        [Description("Workflow or environment files, or folders to search (YAML and JSON).")]
        public string[] Paths { get; init; } = [];

        [CommandOption("--env <ENV>")]
        [Description("Also check workflows against this environment (an id under workflows/environments/ or a path).")]
        public string? Environment { get; init; }

        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        public override ValidationResult Validate()
        {
            if (Output is not ("text" or "json"))
            {
                return ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
            }

            var missing = Paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p));
            return missing is null ? ValidationResult.Success() : ValidationResult.Error($"path not found: {missing}");
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var files = DocumentSet.Expand(settings.Paths);
        if (files.Count == 0)
        {
            throw new UsageException($"no YAML or JSON documents found in {string.Join(", ", settings.Paths)}");
        }

        var environment = settings.Environment is null
            ? null
            : WorkspaceLookup.LoadEnvironment(settings.Environment, Path.GetDirectoryName(Path.GetFullPath(files[0])));
        var results = DocumentSet.Check(files, new ValidationContext(activities), validator, environment);
        if (settings.Output == "json")
        {
            WriteJson(results);
        }
        else
        {
            WriteText(results);
        }

        return Task.FromResult(results.All(r => r.Valid) ? ExitCodes.Ok : ExitCodes.Invalid);
    }

    private void WriteText(IReadOnlyList<CheckedFile> results)
    {
        foreach (var file in results)
        {
            foreach (var diagnostic in file.Diagnostics)
            {
                DiagnosticRenderer.Write(console, diagnostic, file.Text);
                console.WriteLine();
            }
        }

        var invalid = results.Count(r => !r.Valid);
        var errors = results.Sum(r => r.Diagnostics.Count);
        console.MarkupLine(invalid == 0
            ? $"[green]{Plural(results.Count, "document")} valid[/]"
            : $"[red]{Plural(invalid, "document")} of {results.Count} invalid, {Plural(errors, "error")}[/]");
    }

    private void WriteJson(IReadOnlyList<CheckedFile> results)
    {
        var report = new
        {
            valid = results.All(r => r.Valid),
            documents = results.Select(r => new
            {
                path = r.Path,
                kind = r.Kind,
                valid = r.Valid,
                errors = r.Diagnostics.Select(d => new
                {
                    file = d.Location.File,
                    line = d.Location.Line,
                    column = d.Location.Column,
                    path = d.Path,
                    message = d.Message,
                }),
            }),
        };
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, JsonOutput.Options));
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
