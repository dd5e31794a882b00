using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Schema;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry schema [--write]</c>: checks (or rewrites) schemas/*.schema.json against the model and the registered activities.</summary>
public sealed class SchemaCommand(IAnsiConsole console, ActivityRegistry activities) : AsyncCommand<SchemaCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--write")]
        [Description("Rewrite the files.")]
        public bool Write { get; init; }

        [CommandOption("--dir <DIR>")]
        [Description("Folder of the schema files; default: schemas/ of the repository holding the current folder.")]
        public string? Directory { get; init; }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var folder = settings.Directory ?? DefaultFolder();
        if (settings.Write)
        {
            foreach (var path in SchemaGenerator.Write(folder, activities))
            {
                console.MarkupLine($"wrote {Markup.Escape(path)}");
            }

            return Task.FromResult(ExitCodes.Ok);
        }

        var stale = 0;
        foreach (var (name, text) in SchemaGenerator.Files(activities))
        {
            var path = Path.Combine(folder, name);
            var current = File.Exists(path) && File.ReadAllText(path) == text;
            stale += current ? 0 : 1;
            console.MarkupLine(
                current ? $"[green]up to date[/] {Markup.Escape(path)}" : $"[red]out of date[/] {Markup.Escape(path)} (run gantry schema --write)");
        }

        return Task.FromResult(stale == 0 ? ExitCodes.Ok : ExitCodes.Invalid);
    }

    /// <summary>schemas/ next to Workflows.sln (or workflows/) above the current folder; else ./schemas.</summary>
    private static string DefaultFolder()
    {
        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")) || System.IO.Directory.Exists(Path.Combine(dir.FullName, "schemas")))
            {
                return Path.Combine(dir.FullName, "schemas");
            }
        }

        return Path.Combine(System.IO.Directory.GetCurrentDirectory(), "schemas");
    }
}
