using System.ComponentModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Cli.Importing;
using Gantry.Cli.Output;
using Gantry.Engine.Loading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Init;

/// <summary>
/// <c>gantry init [DIR]</c>: a workspace for a team (the built-in workflows, or links to the team's shared ones, and schemas, the sandbox, an
/// environment from --hosts or from answers on a terminal, a README, .gitignore for .gantry/). Running it again
/// changes nothing; a file that differs is kept unless --force. Exit 0 done, 1 the environment would not be
/// valid, 2 bad usage.
/// </summary>
public sealed partial class InitCommand(IAnsiConsole console) : Command<InitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("The workspace folder (created when missing); default the current directory.")]
        public string Directory { get; init; } = ".";

        [CommandOption("--env <ID>")]
        [Description("Id of the environment written from --hosts (default prod).")]
        public string? Environment { get; init; }

        [CommandOption("--hosts <HOSTS>")]
        [Description(
            "The fleet: [user@]host[:port] entries separated by spaces or commas, ranges such as web[01:10]. Without it (and no answers) only the "
            + "sandbox is there.")]
        public string? Hosts { get; init; }

        [CommandOption("--groups <N>")]
        [Description("Rollout groups the hosts are split into, in order (default 2).")]
        public int? Groups { get; init; }

        [CommandOption("--lb <KIND>")]
        [Description("Load balancer: haproxy (default), nginx or none.")]
        public string? LoadBalancer { get; init; }

        [CommandOption("--lb-address <ADDRESS>")]
        [Description("HAProxy's admin socket (default unix:///run/haproxy/admin.sock).")]
        public string? LoadBalancerAddress { get; init; }

        [CommandOption("--backend <NAME>")]
        [Description("HAProxy backend or nginx upstream holding the hosts (default app).")]
        public string? Backend { get; init; }

        [CommandOption("--root <PATH>")]
        [Description("Deploy root on every host: releases/ and current (default /srv/app).")]
        public string? Root { get; init; }

        [CommandOption("--restart <COMMAND>")]
        [Description("The command that restarts the service on a host.")]
        public string? Restart { get; init; }

        [CommandOption("--repository <URL>")]
        [Description("The git repository releases are cloned from.")]
        public string? Repository { get; init; }

        [CommandOption("--reference-workflows <DIR>")]
        [Description(
            "Reference the workflows of DIR (the team's shared checkout or submodule, or its workflows/ folder) with relative symbolic links in "
            + "workflows/ instead of copying the built-in ones: a pull there updates this workspace.")]
        public string? ReferenceWorkflows { get; init; }

        [CommandOption("--no-input")]
        [Description("Never ask, even on a terminal; what is not given is left out.")]
        public bool NoInput { get; init; }

        [CommandOption("--force")]
        [Description("Overwrite files that exist and differ (default: keep them).")]
        public bool Force { get; init; }

        [CommandOption("--output <FORMAT>")]
        [Description("text (default) or json: each file with what happened to it.")]
        [DefaultValue("text")]
        public string Output { get; init; } = "text";

        public override ValidationResult Validate() =>
            Output is not ("text" or "json") ? ValidationResult.Error($"unknown output format '{Output}'; expected text or json")
            : LoadBalancer is not (null or "haproxy" or "nginx" or "none")
                ? ValidationResult.Error($"--lb '{LoadBalancer}' is not a load balancer Gantry drives; expected haproxy, nginx or none")
            : Groups is < 1 ? ValidationResult.Error($"--groups must be at least 1, got {Groups}")
            : Environment is { } id && !EnvironmentId().IsMatch(id)
                ? ValidationResult.Error($"--env '{id}' is not an id; use letters, digits, '.', '_' and '-'")
            : Root is { } root && !root.StartsWith('/')
                ? ValidationResult.Error($"--root '{root}' must be an absolute path on the hosts, e.g. /srv/app")
            : ReferenceWorkflows is { } shared && !System.IO.Directory.Exists(shared)
                ? ValidationResult.Error($"--reference-workflows {shared}: no such folder")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(settings.Directory);
        if (File.Exists(root))
        {
            throw new UsageException($"{settings.Directory} is a file; give a folder for the workspace");
        }

        var answers = InitAnswers.From(settings, console);
        var files = WorkspaceScaffold.BuiltIn().ToList();
        IReadOnlyList<string> referenced = [];
        if (settings.ReferenceWorkflows is { } shared)
        {
            referenced = WorkflowReferences.Find(shared, out var problems);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    console.MarkupLine($"[red]error:[/] {Markup.Escape(problem)}");
                }

                return ExitCodes.Invalid;
            }

            // The team's workflows replace the built-in ones; environments and schemas are still written.
            files.RemoveAll(f => WorkflowReferences.IsWorkflowPath(f.Path));
        }

        if (answers.Hosts is { } hosts)
        {
            var id = answers.EnvironmentId;
            var yaml = EnvironmentText(answers, hosts, id, out var problem);
            if (problem is not null)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(problem)}");
                return ExitCodes.Invalid;
            }

            files.Add(new ScaffoldFile($"workflows/environments/{id}.yaml", yaml!));
        }

        files.Add(new ScaffoldFile("README.md", WorkspaceScaffold.Readme(answers.Hosts is null ? null : answers.EnvironmentId)));
        var outcomes = files.Select(f => (f.Path, Outcome: ScaffoldWrite.Write(root, f, settings.Force))).ToList();
        outcomes.AddRange(referenced.Select(target => WorkflowReferences.Link(root, target, settings.Force)));
        outcomes.Add((".gitignore", ScaffoldWrite.EnsureLine(root, ".gitignore", WorkspaceScaffold.GitIgnoreLine)));
        Report(settings, root, outcomes);
        return ExitCodes.Ok;
    }

    /// <summary>The environment document for the answers, checked by the loader every command uses; null and the problem when it is not
    /// valid.</summary>
    private static string? EnvironmentText(InitAnswers answers, string hosts, string id, out string? problem)
    {
        problem = null;
        ImportedFleet fleet;
        try
        {
            fleet = FleetImport.Read("hosts", hosts, "--hosts", answers.Groups.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }
        catch (ImportException ex)
        {
            problem = ex.Message;
            return null;
        }

        if (answers.LoadBalancer != "none")
        {
            fleet.LbProvider = answers.LoadBalancer;
            fleet.LbBackend = answers.Backend;
            fleet.LbAddress = answers.LoadBalancer == "haproxy" ? answers.LoadBalancerAddress : null;
        }

        fleet.DeployRoot = answers.Root;
        fleet.Restart = answers.Restart;
        fleet.RepositoryUrl = answers.Repository;
        var yaml =
            "$schema: ../../schemas/environment.schema.json\n"
            + EnvironmentWriter.Write(
                fleet,
                id,
                "--hosts",
                "# Written by `gantry init`; change it freely (gantry validate --env " + id + " checks it).");
        var check = DocumentLoader.LoadEnvironment(yaml, $"workflows/environments/{id}.yaml");
        if (!check.Succeeded)
        {
            problem = "the environment would not be valid: " + string.Join("; ", check.Diagnostics.Select(d => d.ToString()));
            return null;
        }

        return yaml;
    }

    private void Report(Settings settings, string root, List<(string Path, ScaffoldOutcome Outcome)> outcomes)
    {
        if (settings.Output == "json")
        {
            var json = new
            {
                workspace = root,
                files = outcomes.Select(o => new { path = o.Path, outcome = o.Outcome.ToString().ToLowerInvariant() }),
            };
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
            return;
        }

        foreach (var (path, outcome) in outcomes)
        {
            console.MarkupLine(outcome switch
            {
                ScaffoldOutcome.Kept => $"[yellow]kept[/]        {Markup.Escape(path)} (it differs; --force overwrites it)",
                ScaffoldOutcome.Unchanged => $"[grey]unchanged[/]   {Markup.Escape(path)}",
                ScaffoldOutcome.Overwritten => $"[yellow]overwritten[/] {Markup.Escape(path)}",
                ScaffoldOutcome.Appended => $"[green]appended[/]    {Markup.Escape(path)}",
                ScaffoldOutcome.Linked => $"[green]linked[/]      {Markup.Escape(path)}",
                _ => $"[green]created[/]     {Markup.Escape(path)}",
            });
        }

        console.MarkupLine(
            $"workspace {Markup.Escape(root)}: "
            + $"{outcomes.Count(o => o.Outcome is ScaffoldOutcome.Created or ScaffoldOutcome.Overwritten
                or ScaffoldOutcome.Appended or ScaffoldOutcome.Linked)} "
            + $"files written, {outcomes.Count(o => o.Outcome == ScaffoldOutcome.Unchanged)} unchanged, "
            + $"{outcomes.Count(o => o.Outcome == ScaffoldOutcome.Kept)} kept");
        console.MarkupLine("next: gantry validate workflows/ ; gantry status --env sandbox");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex EnvironmentId();
}
