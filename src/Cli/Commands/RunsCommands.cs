using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Cli.Running;
using Gantry.Engine.Documents;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry runs list</c>: recent runs with their status.</summary>
public sealed class RunsListCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunsListCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--workflow <ID>")]
        public string? Workflow { get; init; }

        [CommandOption("--env <ENV>")]
        public string? Environment { get; init; }

        [CommandOption("--trigger <TRIGGER>")]
        [Description("Only runs started this way: cli, http, push… (push also matches push:develop).")]
        public string? Trigger { get; init; }

        [CommandOption("--limit <N>")]
        [DefaultValue(20)]
        public int Limit { get; init; } = 20;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: false, cancellationToken).ConfigureAwait(false);
        var runs = await host.Runs
            .ListRunsAsync(
                new RunQuery
                {
                    WorkflowId = settings.Workflow,
                    EnvironmentId = settings.Environment,
                    Trigger = settings.Trigger,
                    Limit = settings.Limit,
                },
                cancellationToken)
            .ConfigureAwait(false);
        if (settings.Json)
        {
            var now = time.GetUtcNow();
            console.Profile.Out.Writer.WriteLine(
                JsonSerializer.Serialize(
                    runs.Select(r => new
                    {
                        r.Id,
                        r.WorkflowId,
                        r.EnvironmentId,
                        status = r.Status.ToString().ToLowerInvariant(),
                        r.Trigger,
                        r.StartedBy,
                        r.Inputs,
                        r.CreatedAt,
                        r.Message,
                        executingOn = r.IsLeasedAt(now) ? r.LeaseOwner : null,
                        orphaned = r.IsOrphaned(now),
                    }),
                    JsonOutput.Options));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("run", "workflow", "environment", "status", "trigger", "started", "message");
        foreach (var run in runs)
        {
            table.AddRow(
                Markup.Escape(run.Id),
                Markup.Escape(run.WorkflowId),
                Markup.Escape(run.EnvironmentId ?? ""),
                Markup.Escape(RunLeaseText.Status(run, time.GetUtcNow())),
                Markup.Escape(run.Trigger),
                run.CreatedAt.ToString("u"),
                Markup.Escape(run.Message ?? ""));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry runs show RUN</c>: a run's status and journal.</summary>
public sealed class RunsShowCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: false, cancellationToken).ConfigureAwait(false);
        var (run, journal) = await host.RequireRunAsync(settings.Run, cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            // The environment text may hold literal secret values: it stays in the store.
            var now = time.GetUtcNow();
            console.Profile.Out.Writer.WriteLine(
                JsonSerializer.Serialize(
                    new
                    {
                        run = run with
                        {
                            EnvironmentText = null,
                        },
                        executingOn = run.IsLeasedAt(now) ? run.LeaseOwner : null,
                        orphaned = run.IsOrphaned(now),
                        journal,
                    },
                    JsonOutput.Options));
            return ExitCodes.Ok;
        }

        console.MarkupLine(
            $"[bold]{Markup.Escape(run.Id)}[/] {Markup.Escape(run.WorkflowId)} on {Markup.Escape(run.EnvironmentId ?? "-")}: "
            + $"{Markup.Escape(RunLeaseText.Status(run, time.GetUtcNow()))} {Markup.Escape(run.Message ?? "")}");
        if (RunLeaseText.Orphaned(run, time.GetUtcNow()) is { } orphaned)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(orphaned)}[/]");
        }

        foreach (var e in journal)
        {
            host.Observer.OnEvent(run, e);
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry runs signal RUN NAME [--data JSON]</c>: delivers a signal and continues the run here.</summary>
public sealed class RunsSignalCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunsSignalCommand.Settings>
{
    public sealed class Settings : RunIdSettings
    {
        [CommandArgument(1, "<NAME>")]
        [Description("Signal name, e.g. approve or pull_request.")]
        public string Name { get; init; } = "";

        [CommandOption("--data <JSON>")]
        [Description("Payload as JSON or YAML, or @file.")]
        public string? Data { get; init; }

        [CommandOption("--no-wait")]
        [Description("Only deliver the signal; a gantry worker continues the run.")]
        public bool NoWait { get; init; }

        [CommandOption("--merged-into <BRANCH>")]
        [Description(
            "Send GitHub's pull_request event of a pull request merged into BRANCH (the branch as it is on origin), an approving "
            + "pull_request_review by each reviewer the step requires, then a completed check_suite per required check on its head commit (see "
            + "--checks). For sandbox runs and tests.")]
        public string? MergedInto { get; init; }

        [CommandOption("--checks <CONCLUSION>")]
        [Description("With --merged-into: the check suite's conclusion, success (default) or failure; none sends only the merge.")]
        public string? Checks { get; init; }

        public override ValidationResult Validate()
        {
            if (Checks is not null && MergedInto is null)
            {
                return ValidationResult.Error("--checks goes with --merged-into");
            }

            if (Checks is not (null or "success" or "failure" or "none"))
            {
                return ValidationResult.Error($"--checks '{Checks}' is not a conclusion; expected success, failure or none");
            }

            return MergedInto is not null && Data is not null
                ? ValidationResult.Error("give either --merged-into or --data, not both")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false);
        RunRecord signalled;
        try
        {
            var payloads = settings.MergedInto is { } branch
                ? SimulatedGitHubEvents.For(
                    AwaitedMerge.Read(await host.Runs.ReadJournalAsync(settings.Run, 0, cancellationToken).ConfigureAwait(false)),
                    branch,
                    settings.Checks ?? "success",
                    Environment.UserName)
                : [ParseData(settings.Data)];
            // One commit: a terminal closed half-way must not leave the merge delivered without its review and check.
            signalled = await host.Engine
                .SignalBatchAsync(settings.Run, settings.Name, payloads, Environment.UserName, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            throw new UsageException(ex.Message);
        }

        if (!settings.Json)
        {
            console.MarkupLine($"signal [bold]{Markup.Escape(settings.Name)}[/] delivered to {Markup.Escape(settings.Run)}");
        }

        if (settings.NoWait)
        {
            return ExitCodes.Ok;
        }

        host.Observer.Preload(signalled, await host.Runs.ReadJournalAsync(signalled.Id, 0, cancellationToken).ConfigureAwait(false));
        var run = await LiveRunDisplay.ShowAsync(console, host.Observer, time, async () =>
        {
            var resumed = await host.ExecuteHereAsync(settings.Run, console, cancellationToken).ConfigureAwait(false);
            await host.Engine.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
            return resumed;
        }).ConfigureAwait(false);
        return await RunOutcome.ReportAsync(run, host, console, cancellationToken).ConfigureAwait(false);
    }

    private static object? ParseData(string? data)
    {
        if (data is null)
        {
            return null;
        }

        var text = data.StartsWith('@') ? File.ReadAllText(data[1..]) : data;
        try
        {
            return PlainValue.FromDoc(DocumentReader.Parse(text, data.StartsWith('@') ? data[1..] : "--data"));
        }
        catch (DocumentSyntaxException ex)
        {
            throw new UsageException($"--data is not valid JSON or YAML: {ex.Message}");
        }
    }
}

/// <summary><c>gantry runs cancel RUN</c>: cancels a run; its on_failure and finally steps still run.</summary>
public sealed class RunsCancelCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: false, cancellationToken).ConfigureAwait(false);
        var run = await host.Engine.CancelAsync(settings.Run, Environment.UserName, cancellationToken).ConfigureAwait(false);
        if (!run.IsFinished)
        {
            // Where the run executes, its process cancels it at its next lease renewal; here we follow it.
            run = await host.ExecuteHereAsync(run.Id, console, cancellationToken).ConfigureAwait(false);
        }

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { run = run.Id, run.Status, run.Message }, JsonOutput.Lines));
            return ExitCodes.Ok;
        }

        console.MarkupLine($"run {Markup.Escape(run.Id)}: {run.Status.ToString().ToLowerInvariant()} {Markup.Escape(run.Message ?? "")}");
        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>gantry runs resume RUN</c>: goes on with a run whose process went away (a terminal closed, a machine
/// died): once that process's lease expired it takes the run over here with live progress; while a live
/// process executes it, it follows it. A waiting run is only reported (it needs its signal).
/// </summary>
public sealed class RunsResumeCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false);
        var (run, journal) = await host.RequireRunAsync(settings.Run, cancellationToken).ConfigureAwait(false);
        if (run.IsFinished || (run.Status == RunStatus.Waiting && !JournalState.WokenSinceLastPass(journal)))
        {
            // Nothing to execute: a finished run, or a run waiting for its signal, timer or approval.
            return await RunOutcome.ReportAsync(run, host, console, cancellationToken).ConfigureAwait(false);
        }

        if (RunLeaseText.Orphaned(run, time.GetUtcNow()) is null && run.IsLeasedAt(time.GetUtcNow()) && !settings.Json)
        {
            console.MarkupLine(
                $"[yellow]{Markup.Escape($"node {run.LeaseOwner} holds run {run.Id} until {run.LeaseExpiresAt:u}: "
                    + "it goes on here once that lease expires without renewal (the node is gone)")}[/]");
        }

        host.Observer.Preload(run, journal);
        var reached = await LiveRunDisplay
            .ShowAsync(console, host.Observer, time, () => host.ExecuteHereAsync(run.Id, console, cancellationToken))
            .ConfigureAwait(false);
        return await RunOutcome.ReportAsync(reached, host, console, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>How the CLI words who executes a run.</summary>
internal static class RunLeaseText
{
    /// <summary>The status, marked orphaned when its process went away.</summary>
    public static string Status(RunRecord run, DateTimeOffset now) =>
        run.IsOrphaned(now) ? "running (orphaned)" : run.Status.ToString().ToLowerInvariant();

    /// <summary>For an orphaned run: whose lease ended and how to go on; else null.</summary>
    public static string? Orphaned(RunRecord run, DateTimeOffset now) =>
        !run.IsOrphaned(now) ? null
        : run.LeaseOwner is null ? $"orphaned: no process executes it; resume it with {RunOutcome.ResumeHint(run.Id)}"
        : $"orphaned: node {run.LeaseOwner} stopped renewing its lease (expired {run.LeaseExpiresAt:u}); resume it with "
            + $"{RunOutcome.ResumeHint(run.Id)}";
}
