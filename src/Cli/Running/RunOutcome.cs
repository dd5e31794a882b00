using Gantry.Engine.Runtime;
using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>Maps a run's status to the exit code and tells a person how to go on with a waiting run.</summary>
internal static class RunOutcome
{
    public const int Waiting = 3;

    /// <summary>The command was interrupted (SIGHUP, SIGTERM) while it executed the run, which is left for another process.</summary>
    public const int Interrupted = 4;

    /// <summary>How to go on with a run whose terminal stopped executing it.</summary>
    public static string ResumeHint(string runId) => $"gantry runs resume {runId}";

    public static int ReportInterrupted(string runId, IAnsiConsole console)
    {
        console.MarkupLine(
            $"[yellow]run {runId} was interrupted here[/]: it stays running, and a server or worker on this store takes it over; without one, "
            + "resume it with:");
        console.MarkupLine($"    [bold]{Markup.Escape(ResumeHint(runId))}[/]");
        return Interrupted;
    }

    public static async Task<int> ReportAsync(RunRecord run, RunHost host, IAnsiConsole console, CancellationToken cancellationToken)
    {
        switch (run.Status)
        {
            case RunStatus.Succeeded:
                return ExitCodes.Ok;
            case RunStatus.Waiting or RunStatus.Pending when host.Observer.Mode == ProgressMode.Json:
                // The journal events already said what the run waits for; keep the output JSON lines.
                return Waiting;
            case RunStatus.Waiting:
                var state = JournalState.Replay(await host.Runs.ReadJournalAsync(run.Id, 0, cancellationToken).ConfigureAwait(false));
                console.MarkupLine($"[yellow]run {run.Id} is waiting[/] (it holds no process; resume it from anywhere that reaches the same store):");
                foreach (var wait in state.Waiting.Values.Select(w => w.Wait!).DistinctBy(w => w.Signal))
                {
                    console.MarkupLine($"  {Markup.Escape(wait.Description)}:");
                    console.MarkupLine($"    [bold]{Markup.Escape(ResumeCommand(run, wait.Signal))}[/]");
                }

                return Waiting;
            case RunStatus.Pending:
                console.MarkupLine($"[yellow]run {run.Id} is queued[/]: {Markup.Escape(run.Message ?? "")}");
                return Waiting;
            case RunStatus.Running:
                console.MarkupLine($"[yellow]run {run.Id} is running on another node[/]: follow it with {Markup.Escape(ResumeHint(run.Id))}");
                return Waiting;
            default:
                return ExitCodes.Invalid;
        }
    }

    private static string ResumeCommand(RunRecord run, string signal) => signal switch
    {
        "pull_request" => $"gantry runs signal {run.Id} pull_request --merged-into {MergedInto(run)}",
        "approve" => $"gantry runs signal {run.Id} approve",
        _ => $"gantry runs signal {run.Id} {signal} [--data '{{...}}']",
    };

    private static string MergedInto(RunRecord run) =>
        run.Inputs.TryGetValue("version", out var version) && version is not null
            ? (run.WorkflowId == "daily-release" ? "release/" : "hotfix/") + version
            : "<branch>";
}
