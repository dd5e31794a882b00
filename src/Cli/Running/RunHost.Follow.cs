using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Gantry.Cli.Running;

/// <summary>Executing a run from a terminal when another process may hold it.</summary>
internal sealed partial class RunHost
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Executes the run here under its lease. When another process holds a live lease on it, says which node
    /// and follows its progress from the journal until it ends or waits again; when that lease lapses while
    /// the run still needs executing (its process died), takes it over here. Returns the run as it ended,
    /// suspended or was queued. <paramref name="abandon"/> stops an execution here as if this process died
    /// (the lease is released for <c>gantry runs resume</c>) and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<RunRecord> ExecuteHereAsync(
        string runId,
        IAnsiConsole console,
        CancellationToken cancellationToken,
        CancellationToken abandon = default)
    {
        var time = _services.GetRequiredService<TimeProvider>();
        string? followed = null;
        while (true)
        {
            try
            {
                if (followed is not null)
                {
                    Say(console, $"node {followed} no longer executes run {runId}: going on with it here");
                }

                return await Engine.RunAsync(runId, cancellationToken, abandon).ConfigureAwait(false);
            }
            catch (RunHeldException held) when (held.HolderNodeId is not null)
            {
                followed = held.HolderNodeId;
                Say(
                    console,
                    $"run {runId} is executing on node {held.HolderNodeId} (lease until {held.LeaseExpiresAt:u}): following its progress; it goes "
                    + "on here if that lease expires");
            }
            catch (LeaseLostException lost)
            {
                followed = lost.HolderNodeId ?? "another node";
                Say(console, $"stopped executing run {runId} here: {lost.Message}; following it");
            }

            if (await FollowAsync(runId, time, cancellationToken).ConfigureAwait(false) is { } settled)
            {
                return settled;
            }
        }
    }

    /// <summary>
    /// Shows the run's new journal events until it finishes, or its holder releases it waiting for something
    /// (returns the run), or nobody holds a live lease on it while it still needs executing (returns null).
    /// </summary>
    private async Task<RunRecord?> FollowAsync(string runId, TimeProvider time, CancellationToken cancellationToken)
    {
        var journal = await Runs.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false);
        var run = await Runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no run with id '{runId}'");
        Observer.Preload(run, journal);
        var seen = journal.Count == 0 ? 0 : journal[^1].Sequence;
        var all = journal.ToList();
        while (true)
        {
            run = await Runs.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"no run with id '{runId}'");
            foreach (var e in await Runs.ReadJournalAsync(runId, seen, cancellationToken).ConfigureAwait(false))
            {
                Observer.OnEvent(run, e);
                all.Add(e);
                seen = e.Sequence;
            }

            if (run.IsFinished)
            {
                return run;
            }

            if (!run.IsLeasedAt(time.GetUtcNow()))
            {
                return run.Status == RunStatus.Waiting && !JournalState.WokenSinceLastPass(all) ? run : null;
            }

            await Task.Delay(FollowPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Say(IAnsiConsole console, string line)
    {
        // JSON output stays one journal event per line.
        if (Observer.Mode != ProgressMode.Json)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(line)}[/]");
        }
    }
}
