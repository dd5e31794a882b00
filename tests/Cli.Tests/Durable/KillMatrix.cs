using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable;

/// <summary>
/// Runs a workflow in child processes and SIGKILLs them at chosen journal points, restarting with
/// <c>gantry worker</c> each time, then checks the run ended as an uninterrupted run does.
/// </summary>
internal static class KillMatrix
{
    /// <summary>log, two 0.3 s shell steps around a 300 ms delay, a failing step, and an on_failure with a shell step and a log.</summary>
    public const string Workflow = """
        id: durable
        steps:
          - id: hello
            uses: log
            with: { message: "starting" }
          - id: build
            uses: shell.local
            with: { command: [sleep, "0.3"] }
          - id: pause
            uses: wait
            with: { delay: 300ms }
          - id: package
            uses: shell.local
            with: { command: [sleep, "0.3"] }
          - id: broken
            uses: fail
            with: { message: "the release is broken" }
        on_failure:
          - id: cleanup
            uses: shell.local
            with: { command: [sleep, "0.3"] }
          - id: report
            uses: log
            with: { message: "cleaned up" }
        """;

    /// <summary>What an uninterrupted run journals as succeeded, in order, and how it ends.</summary>
    public static readonly string[] SucceededSteps = ["hello", "build", "pause", "package", "cleanup", "report"];

    public const string FinalMessage = "step broken (steps[4]) failed: the release is broken";

    /// <summary>A moment to kill at: the journal holds an event of this type for this step id (null: any step).</summary>
    public sealed record KillPoint(string Type, string? Step)
    {
        public bool ReachedIn(IReadOnlyList<JournalEvent> journal) => journal.Any(e => e.Type == Type && (Step is null || e.StepId == Step));

        public override string ToString() => Step is null ? Type : $"{Type} {Step}";
    }

    /// <summary>Starts the run with <c>gantry run</c>, kills whichever process executes it at each point, and lets workers finish it.</summary>
    public static async Task<RunRecord> RunAsync(DurableWorkspace workspace, IReadOnlyList<KillPoint> points)
    {
        var current = workspace.Start("run", "durable");
        var processes = new List<GantryProcess> { current };
        try
        {
            string? runId = null;
            foreach (var point in points)
            {
                await DurableWorkspace.WaitForAsync(
                    async () =>
                    {
                        runId ??= (await workspace.SingleRunAsync())?.Id;
                        if (runId is not null && point.ReachedIn(await workspace.JournalAsync(runId)))
                        {
                            return true;
                        }

                        if (current.HasExited)
                        {
                            // gantry run exits (code 3) when the run suspends on its delay; a worker goes on.
                            current = workspace.Start("worker", "--poll", "100ms");
                            processes.Add(current);
                        }

                        return false;
                    },
                    TimeSpan.FromSeconds(60),
                    $"{point} (output: {string.Join(" | ", current.Output)})");
                current.Kill();
                current = workspace.Start("worker", "--poll", "100ms");
                processes.Add(current);
            }

            RunRecord? run = null;
            await DurableWorkspace.WaitForAsync(
                async () =>
                {
                    run = await workspace.SingleRunAsync();
                    if (run?.IsFinished == true)
                    {
                        return true;
                    }

                    if (current.HasExited)
                    {
                        current = workspace.Start("worker", "--poll", "100ms");
                        processes.Add(current);
                    }

                    return false;
                },
                TimeSpan.FromSeconds(60),
                $"the run to finish (output: {string.Join(" | ", processes.SelectMany(p => p.Output))})");
            return run!;
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Asserts the run ended as an uninterrupted one: same status and message, same succeeded steps in order, each once, a gap-free journal with one end.</summary>
    public static async Task AssertEndedAsUninterruptedAsync(DurableWorkspace workspace, RunRecord run, int kills)
    {
        var journal = await workspace.JournalAsync(run.Id);

        // One pass by gantry run, one after the delay, one more after each kill at the latest.
        Assert.InRange(journal.Count(e => e.Type == JournalEventTypes.RunResumed), 1, 1 + kills);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(FinalMessage, run.Message);
        Assert.Equal(SucceededSteps, journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).Select(e => e.StepId));
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
        var finished = Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepFailed && e.StepId == "broken");
    }
}
