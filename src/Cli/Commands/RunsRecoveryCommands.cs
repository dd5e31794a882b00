using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Cli.Running;
using Gantry.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry runs retry RUN [--from STEP]</c>: a failed or cancelled run goes on in the same run id, with its pinned
/// definitions, environment and inputs; steps that succeeded before the retry point are not run again. Executes it
/// here with live progress (under its lease, as any execution), or leaves it to a worker with --no-wait.
/// </summary>
public sealed class RunsRetryCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunsRetryCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<RUN>")]
        public string Run { get; init; } = "";

        [CommandOption("--from <STEP>")]
        [Description("The step id to go on from. Default: the failed step, or, once on_failure ran, the nearest load-balancer step before it.")]
        public string? From { get; init; }

        [CommandOption("--no-wait")]
        [Description("Only make the run pending again; a gantry worker or server executes it.")]
        public bool NoWait { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false);
        RunRecord pending;
        RetryPoint point;
        try
        {
            (pending, point) = await host
                .Engine.RetryAsync(settings.Run, settings.From, Environment.UserName, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (InvalidOperationException ex) when (ex is RetryRefusedException or RunNotRetryableException or RunHeldException)
        {
            throw new UsageException(ex.Message);
        }

        if (!settings.Json)
        {
            console.MarkupLine($"run {Markup.Escape(pending.Id)} retried {Markup.Escape(point.Reason)}");
        }

        if (settings.NoWait)
        {
            if (settings.Json)
            {
                console.Profile.Out.Writer.WriteLine(
                    JsonSerializer.Serialize(
                        new
                        {
                            run = pending.Id,
                            pending.Status,
                            from = point.StepKey,
                            fromStep = point.StepId,
                            point.Reason,
                        },
                        JsonOutput.Lines));
            }

            return ExitCodes.Ok;
        }

        host.Observer.Preload(pending, await host.Runs.ReadJournalAsync(pending.Id, 0, cancellationToken).ConfigureAwait(false));
        var run = await LiveRunDisplay
            .ShowAsync(console, host.Observer, time, () => host.ExecuteHereAsync(pending.Id, console, cancellationToken))
            .ConfigureAwait(false);
        return await RunOutcome.ReportAsync(run, host, console, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// <c>gantry runs answer RUN retry|skip|abort [--step STEP]</c>: answers a step that failed under <c>on_error: ask</c>
/// and continues the run here (or leaves it to a worker with --no-wait).
/// </summary>
public sealed class RunsAnswerCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<RunsAnswerCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<RUN>")]
        public string Run { get; init; } = "";

        [CommandArgument(1, "<ANSWER>")]
        [Description(
            "retry (run the step again), skip (go on; its outputs are empty and its status skipped) or abort (fail the run; on_failure runs).")]
        public string Answer { get; init; } = "";

        [CommandOption("--step <STEP>")]
        [Description("The failed step's id, when several steps wait for an answer.")]
        public string? Step { get; init; }

        [CommandOption("--no-wait")]
        [Description("Only deliver the answer; a gantry worker or server continues the run.")]
        public bool NoWait { get; init; }

        public override ValidationResult Validate() =>
            GuidedFailure.Answers.Contains(Answer)
                ? ValidationResult.Success()
                : ValidationResult.Error($"'{Answer}' is not an answer; expected retry, skip or abort");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, time, live: true, cancellationToken).ConfigureAwait(false);
        RunRecord answered;
        try
        {
            answered = await host
                .Engine.AnswerAsync(settings.Run, settings.Answer, settings.Step, Environment.UserName, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or NoQuestionException or ArgumentException)
        {
            throw new UsageException(ex.Message);
        }

        if (!settings.Json)
        {
            console.MarkupLine($"answered [bold]{Markup.Escape(settings.Answer)}[/] to run {Markup.Escape(settings.Run)}");
        }

        if (settings.NoWait)
        {
            return ExitCodes.Ok;
        }

        host.Observer.Preload(answered, await host.Runs.ReadJournalAsync(answered.Id, 0, cancellationToken).ConfigureAwait(false));
        var run = await LiveRunDisplay
            .ShowAsync(console, host.Observer, time, () => host.ExecuteHereAsync(answered.Id, console, cancellationToken))
            .ConfigureAwait(false);
        return await RunOutcome.ReportAsync(run, host, console, cancellationToken).ConfigureAwait(false);
    }
}
