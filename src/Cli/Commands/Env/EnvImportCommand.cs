using System.ComponentModel;
using System.Text.RegularExpressions;
using Gantry.Cli.Importing;
using Gantry.Engine.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Env;

/// <summary>
/// <c>gantry env import SOURCE</c>: writes an environment document from an Ansible inventory (INI or
/// YAML), an HAProxy configuration or a plain host list. The result is checked with the same loader
/// every command uses before it is written. Exit 0 written, 1 the source or the result is invalid, 2 bad usage.
/// </summary>
public sealed partial class EnvImportCommand(IAnsiConsole console) : Command<EnvImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SOURCE>")]
        [Description("The file to read: an Ansible inventory (INI or YAML), an haproxy.cfg, or a host list.")]
        public string Source { get; init; } = "";

        [CommandOption("--from <FORMAT>")]
        [Description(
            "ansible, haproxy or hosts. Default: guessed from the file (haproxy.cfg, *.yml/*.yaml inventories, [sections], else a host list).")]
        public string? From { get; init; }

        [CommandOption("--id <ID>")]
        [Description("The environment's id. Default: the --output file's name, else the source file's.")]
        public string? Id { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the environment; - (the default) is standard output.")]
        [DefaultValue("-")]
        public string Output { get; init; } = "-";

        [CommandOption("--force")]
        [Description("Overwrite an existing --output file.")]
        public bool Force { get; init; }

        [CommandOption("--groups <GROUPS>")]
        [Description(
            "Ansible: the inventory groups that become rollout groups, comma-separated (default: every group listing hosts). HAProxy and host "
            + "lists: how many groups to split the hosts into (default 2, or 1 for a single host).")]
        public string? Groups { get; init; }

        [CommandOption("--backend <NAME>")]
        [Description("HAProxy: the backend whose servers are the hosts, when the file has several.")]
        public string? Backend { get; init; }

        public override ValidationResult Validate()
        {
            if (From is not (null or "ansible" or "haproxy" or "hosts"))
            {
                return ValidationResult.Error($"--from {From}: expected ansible, haproxy or hosts");
            }

            return Id is not null && !IdPattern().IsMatch(Id)
                ? ValidationResult.Error($"--id '{Id}': expected letters, digits, '.', '_' or '-' (it names workflows/environments/ID.yaml)")
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Source))
        {
            throw new UsageException($"{settings.Source}: no such file");
        }

        var toStdout = settings.Output == "-";
        if (!toStdout && File.Exists(settings.Output) && !settings.Force)
        {
            throw new UsageException($"{settings.Output} exists; pass --force to overwrite it");
        }

        var text = File.ReadAllText(settings.Source);
        var display = DocumentLoader.DisplayPath(settings.Source);
        var id = settings.Id ?? IdFrom(toStdout ? settings.Source : settings.Output);
        ImportedFleet fleet;
        try
        {
            fleet = FleetImport.Read(settings.From ?? FleetImport.Guess(settings.Source, text), text, display, settings.Groups, settings.Backend);
        }
        catch (ImportException ex)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
            return ExitCodes.Invalid;
        }

        var yaml = EnvironmentWriter.Write(fleet, id, display);
        var check = DocumentLoader.LoadEnvironment(yaml, toStdout ? $"{id}.yaml" : settings.Output);
        if (!check.Succeeded)
        {
            foreach (var diagnostic in check.Diagnostics)
            {
                console.MarkupLine($"[red]error:[/] the imported environment is not valid: {Markup.Escape(diagnostic.ToString())}");
            }

            return ExitCodes.Invalid;
        }

        if (toStdout)
        {
            console.Profile.Out.Writer.Write(yaml);
            return ExitCodes.Ok;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!);
        File.WriteAllText(settings.Output, yaml);
        console.MarkupLine(
            $"wrote {Markup.Escape(settings.Output)}: environment {Markup.Escape(id)}, {fleet.Hosts.Count} hosts in {fleet.Groups.Count} groups");
        foreach (var note in fleet.Notes)
        {
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        }

        return ExitCodes.Ok;
    }

    private static string IdFrom(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var id = InvalidIdCharacters().Replace(name, "-").Trim('-');
        return id.Length > 0 ? id : "imported";
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex InvalidIdCharacters();
}
