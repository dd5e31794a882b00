using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Engine.Scheduling;

/// <summary>
/// Starts workflows at the ticks of their <c>on.schedule</c>. Any number of nodes may run one over a
/// shared store: a tick's run id is derived from (workflow, schedule, tick), so the first node to
/// insert it wins and the others find it there ("another node started it"). A tick that passed while
/// no node ran is started once when a node comes back (<c>missed: run-once</c>, only the newest such
/// tick) or not at all (<c>missed: skip</c>); a schedule that never fired does not fire for ticks
/// before it was first seen. The host supplies the workflows and how to start a run: <paramref name="start"/>
/// answers false when the tick's run was already in the store (another node started it), so only the node
/// that created it says it started it.
/// </summary>
public sealed class WorkflowScheduler(
    IRunStore store,
    TimeProvider time,
    Func<CancellationToken, Task<IReadOnlyCollection<WorkflowDefinition>>> workflows,
    Func<ScheduledStart, CancellationToken, Task<bool>> start,
    ILogger? logger = null)
{
    /// <summary>A tick this late when first seen was missed (no node ran at it) rather than just reached.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>The longest sleep between looks, so changed definitions are picked up.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<string, DateTimeOffset> _seenUntil = new(StringComparer.Ordinal);

    /// <summary>Looks at every schedule once and starts what is due; returns the runs this node created.</summary>
    public async Task<IReadOnlyList<ScheduledStart>> TickAsync(CancellationToken cancellationToken)
    {
        var started = new List<ScheduledStart>();
        var now = time.GetUtcNow();
        foreach (var workflow in await workflows(cancellationToken).ConfigureAwait(false))
        {
            foreach (var schedule in workflow.Schedules)
            {
                var due = await DueAsync(workflow, schedule, now, cancellationToken).ConfigureAwait(false);
                if (due is not null && await TryStartAsync(due, cancellationToken).ConfigureAwait(false))
                {
                    started.Add(due);
                }
            }
        }

        return started;
    }

    /// <summary>Ticks until cancelled, sleeping (on the injected clock) until the next tick of any schedule.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var sleep = PollInterval;
            try
            {
                await TickAsync(cancellationToken).ConfigureAwait(false);
                sleep = await SleepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store or definition hiccup must not stop the schedules (nor, as an escaping
                // exception of a hosted service would, the whole server); the next look retries.
                _logger.LogError(ex, "schedules: {Message}", ex.Message);
            }

            await Task.Delay(sleep, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TimeSpan> SleepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var next = (await workflows(cancellationToken).ConfigureAwait(false))
            .SelectMany(w => w.Schedules)
            .Select(s => s.NextAfter(now))
            .Where(t => t is not null)
            .Min();
        var sleep = next is null ? PollInterval : next.Value - now;
        return sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > PollInterval ? PollInterval : sleep;
    }

    private async Task<ScheduledStart?> DueAsync(
        WorkflowDefinition workflow,
        ScheduleDeclaration schedule,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var key = $"{workflow.Id}\n{schedule.Index}\n{schedule.Cron}\n{schedule.TimeZone.Id}";
        if (!_seenUntil.TryGetValue(key, out var since))
        {
            // First look on this node: continue after the newest run the schedule started on any
            // node; a schedule that never started a run begins now (nothing retroactive).
            since = await LastStartedAsync(workflow.Id, schedule, cancellationToken).ConfigureAwait(false) ?? now;
        }

        _seenUntil[key] = now;
        if (schedule.LatestBetween(since, now) is not { } tick)
        {
            return null;
        }

        var missed = now - tick > Grace;
        if (missed && schedule.Missed == MissedTickPolicy.Skip)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("schedules: {Workflow} tick {Tick:O} was missed; skipped (missed: skip)", workflow.Id, tick);
            }

            return null;
        }

        return new ScheduledStart(workflow, schedule, tick);
    }

    private async Task<DateTimeOffset?> LastStartedAsync(string workflowId, ScheduleDeclaration schedule, CancellationToken cancellationToken)
    {
        var runs = await store
            .ListRunsAsync(
                new RunQuery
                {
                    WorkflowId = workflowId,
                    Trigger = schedule.Trigger,
                    Limit = 1,
                },
                cancellationToken)
            .ConfigureAwait(false);
        return runs.Count == 0 ? null : runs.Max(r => r.CreatedAt);
    }

    private async Task<bool> TryStartAsync(ScheduledStart due, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(due.RunId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false; // another node started it
        }

        try
        {
            if (!await start(due, cancellationToken).ConfigureAwait(false))
            {
                return false; // another node inserted the run between the look and the start
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("schedules: started {Workflow} for tick {Tick:O} as run {Run}", due.Workflow.Id, due.Tick, due.RunId);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (await store.GetRunAsync(due.RunId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return false; // another node inserted the run between the look and the insert
            }

            _logger.LogError(ex, "schedules: {Workflow} tick {Tick:O} could not start: {Message}", due.Workflow.Id, due.Tick, ex.Message);
            return false;
        }
    }
}
