using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Documents;
using Gantry.Cli.Output;
using Gantry.Engine.Activities;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Expressions;
using Gantry.Engine.Loading;
using Gantry.Engine.Planning;
using Gantry.Engine.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry plan WORKFLOW --env ENV --input k=v</c>: the steps a run would take, rendered, touching nothing.</summary>
public sealed class PlanCommand(IAnsiConsole console, ActivityRegistry activities, WorkflowValidator validator)
    : AsyncCommand<PlanCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<WORKFLOW>")]
        [Description("Workflow id (under workflows/) or path.")]
        public string Workflow { get; init; } = "";

        [CommandOption("--env <ENV>")]
        [Description("Environment id (under workflows/environments/) or path.")]
        public string? Environment { get; init; }

        [CommandOption("--input <KEY=VALUE>")]
        [Description("An input value, read as YAML (3 is a number, true a boolean); repeatable.")]
        public string[] Inputs { get; init; } = [];

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

            var bad = Inputs.FirstOrDefault(i => i.IndexOf('=', StringComparison.Ordinal) <= 0);
            return bad is null ? ValidationResult.Success() : ValidationResult.Error($"--input '{bad}' is not KEY=VALUE");
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = WorkspaceLookup.WorkflowPath(settings.Workflow);
        var folder = Path.GetDirectoryName(path)!;
        var environment = settings.Environment is null ? null : WorkspaceLookup.LoadEnvironment(settings.Environment, folder);
        var checkedFiles = DocumentSet.Check([path], new ValidationContext(activities), validator, environment);
        if (checkedFiles.Any(f => !f.Valid))
        {
            return Task.FromResult(Fail(checkedFiles.SelectMany(f => f.Diagnostics.Select(d => (d, (string?)f.Text))), settings));
        }

        var workflow = DocumentLoader.LoadWorkflowFile(path).GetOrThrow();
        var workflows = new Dictionary<string, Engine.Model.WorkflowDefinition>(
            WorkspaceCatalog.Discover(folder).LoadWorkflows(),
            StringComparer.Ordinal)
        {
            [workflow.Id] = workflow,
        };
        var inputs = settings.Inputs.Select(i => i.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var masker = new SecretMasker();
        var result = new Planner(new ValidationContext(activities, workflows, environment)).Plan(workflow, inputs, masker);
        if (!result.Succeeded)
        {
            return Task.FromResult(Fail(result.Diagnostics.Select(d => (d, (string?)null)), settings));
        }

        if (settings.Output == "json")
        {
            console.Profile.Out.Writer.WriteLine(masker.Apply(JsonSerializer.Serialize(result.Plan, JsonOutput.Options)));
        }
        else
        {
            PlanRenderer.Write(console, result.Plan!, masker);
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    private int Fail(IEnumerable<(Diagnostic Diagnostic, string? Text)> problems, Settings settings)
    {
        var list = problems.ToList();
        if (settings.Output == "json")
        {
            var errors = list.Select(p => new
            {
                file = p.Diagnostic.Location.File,
                line = p.Diagnostic.Location.Line,
                column = p.Diagnostic.Location.Column,
                path = p.Diagnostic.Path,
                message = p.Diagnostic.Message,
            });
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { valid = false, errors }, JsonOutput.Options));
        }
        else
        {
            foreach (var (diagnostic, text) in list)
            {
                DiagnosticRenderer.Write(console, diagnostic, text);
            }

            console.MarkupLine($"[red]cannot plan: {list.Count} error{(list.Count == 1 ? "" : "s")}[/]");
        }

        return ExitCodes.Invalid;
    }
}
