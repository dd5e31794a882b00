using System.ComponentModel;
using System.Runtime.InteropServices;
using Gantry.Cli.Documents;
using Gantry.Cli.Running;
using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry run WORKFLOW --env ENV --input k=v</c>: runs a workflow here, showing each step as it happens.</summary>
public sealed class RunCommand(IAnsiConsole console, ActivityRegistry activities, WorkflowValidator validator, TimeProvider time)
    : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<WORKFLOW>")]
        [Description("Workflow id (under workflows/) or path.")]
        public string Workflow { get; init; } = "";

        [CommandOption("--env <ENV>")]
        [Description("Environment id (under workflows/environments/) or path.")]
        public string? Environment { get; init; }

        [CommandOption("--input <KEY=VALUE>")]
        [Description("An input value; repeatable.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--detach")]
        [Description("Only create the run (pending) and print its id; a gantry worker executes it.")]
        public bool Detach { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Infrastructure.StartupTrace.Mark("command");
        var path = WorkspaceLookup.WorkflowPath(settings.Workflow, settings.Workspace);
        var environment = settings.Environment is null
            ? null
            : WorkspaceLookup.LoadEnvironment(settings.Environment, Path.GetDirectoryName(path), settings.Workspace);

        // Calls pinned with version: N are checked against version N, which only the definition
        // store holds (after it has imported the workspace), so the store is opened first for them.
        var pinned = PinnedCallsOf(path);
        await using var host = pinned is null
            ? null
            : await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false);
        var validation = new ValidationContext(activities);
        if (host is not null)
        {
            validation = await PinnedCallVersions.AddToAsync(validation, host.Definitions, pinned!, cancellationToken).ConfigureAwait(false);
        }

        var checkedFiles = DocumentSet.Check([path], validation, validator, environment);
        if (checkedFiles.Any(f => !f.Valid))
        {
            foreach (var file in checkedFiles)
            {
                foreach (var diagnostic in file.Diagnostics)
                {
                    Output.DiagnosticRenderer.Write(console, diagnostic, file.Text);
                }
            }

            return ExitCodes.Usage;
        }

        await using var opened = host is null
            ? await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false)
            : null;
        return await RunAsync(settings, path, environment, host ?? opened!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The workflow at <paramref name="path"/> when it loads and has a call with <c>version:</c>; else null.</summary>
    private static Engine.Model.WorkflowDefinition? PinnedCallsOf(string path) =>
        DocumentLoader.LoadWorkflowFile(path) is { Succeeded: true, Value: { } workflow }
        && workflow.AllSteps().OfType<Engine.Model.CallStep>().Any(c => c.Version is not null)
            ? workflow
            : null;

    private async Task<int> RunAsync(
        Settings settings,
        string path,
        Engine.Model.EnvironmentDefinition? environment,
        RunHost host,
        CancellationToken cancellationToken)
    {
        var library = new Dictionary<string, Engine.Model.WorkflowDefinition>(host.Catalog.LoadWorkflows(), StringComparer.Ordinal);
        var workflow = DocumentLoader.LoadWorkflowFile(path).GetOrThrow();
        library[workflow.Id] = workflow;
        await AddPinnedVersionsAsync(library, workflow, host, cancellationToken).ConfigureAwait(false);
        RunRecord run;
        try
        {
            run = await host.Engine
                .StartAsync(
                    new StartRunRequest
                    {
                        Workflow = workflow,
                        Library = library,
                        Environment = environment,
                        EnvironmentText = environment is null
                            ? null
                            : await File.ReadAllTextAsync(environment.SourcePath, cancellationToken).ConfigureAwait(false),
                        WorkflowVersion =
                            host.Imported.TryGetValue(workflow.Id, out var version) && version.Text == workflow.SourceText ? version.Version : null,
                        Inputs = InputBinder.ParseAssignments(settings.Inputs),
                        Trigger = "cli",
                        StartedBy = System.Environment.UserName,
                    },
                    cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        Infrastructure.StartupTrace.Mark("run created");
        if (settings.Detach)
        {
            console.Profile.Out.Writer.WriteLine(run.Id);
            return ExitCodes.Ok;
        }

        // Ctrl+C cancels the run cooperatively: on_failure and finally still run. A terminal that goes away
        // (SIGHUP) or a SIGTERM only stops executing it here, as a crash would, releasing its lease.
        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            e.Cancel = true;
            _ = host.Engine.CancelAsync(run.Id, System.Environment.UserName, CancellationToken.None);
        };
        Console.CancelKeyPress += handler;
        using var hangup = InterruptOn(PosixSignal.SIGHUP, interrupted);
        using var terminate = InterruptOn(PosixSignal.SIGTERM, interrupted);
        try
        {
            var finished = await LiveRunDisplay.ShowAsync(console, host.Observer, time, async () =>
            {
                var reached = await host.ExecuteHereAsync(run.Id, console, CancellationToken.None, interrupted.Token).ConfigureAwait(false);
                await host.Engine.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
                return reached;
            }).ConfigureAwait(false);
            return await RunOutcome.ReportAsync(finished, host, console, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            return RunOutcome.ReportInterrupted(run.Id, console);
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    private static PosixSignalRegistration? InterruptOn(PosixSignal signal, CancellationTokenSource interrupted)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            interrupted.Cancel();
        });
    }

    /// <summary>Calls with <c>version: N</c> run that version from the definition store (files hold only the latest).</summary>
    private static async Task AddPinnedVersionsAsync(
        Dictionary<string, Engine.Model.WorkflowDefinition> library,
        Engine.Model.WorkflowDefinition workflow,
        RunHost host,
        CancellationToken cancellationToken)
    {
        if (!workflow.AllSteps().OfType<Engine.Model.CallStep>().Any(c => c.Version is not null)
            && !library.Values.Any(w => w.AllSteps().OfType<Engine.Model.CallStep>().Any(c => c.Version is not null)))
        {
            return;
        }

        try
        {
            foreach (var (key, callee) in await DefinitionLibrary.FromStoreAsync(host.Definitions, workflow, cancellationToken).ConfigureAwait(false))
            {
                if (key.Contains('@', StringComparison.Ordinal))
                {
                    library[key] = callee;
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}

/// <summary>Options every command that touches runs shares.</summary>
public class RunSettings : CommandSettings
{
    [CommandOption("--db <DB>")]
    [Description("Run store: a SQLite file (default .gantry/gantry.db) or a PostgreSQL connection string. Also GANTRY_DB.")]
    public string? Db { get; init; }

    [CommandOption("--output <FORMAT>")]
    [Description("text (default) or json (one journal event per line).")]
    [DefaultValue("text")]
    public string Output { get; init; } = "text";

    [CommandOption("--workspace <DIR>")]
    [Description("The workspace (the folder holding workflows/ and .gantry/). Default: found from the current directory upwards.")]
    public string? Workspace { get; init; }

    public bool Json => Output == "json";

    public override ValidationResult Validate() =>
        Output is "text" or "json" ? ValidationResult.Success() : ValidationResult.Error($"unknown output format '{Output}'; expected text or json");
}
