using Cronos;
using Gantry.Engine.Documents;

namespace Gantry.Engine.Model;

/// <summary>What a scheduler does with a tick that passed while no node ran.</summary>
public enum MissedTickPolicy
{
    /// <summary>Start the newest missed tick once when a node comes back.</summary>
    RunOnce,

    /// <summary>Start nothing for it; wait for the next tick.</summary>
    Skip,
}

/// <summary>
/// One <c>on.schedule</c> entry: start the workflow at each tick of a cron expression in a time zone,
/// on an environment with inputs. <paramref name="Index"/> is its position in the list (0 for a single mapping).
/// </summary>
public sealed record ScheduleDeclaration(
    int Index,
    string Cron,
    CronExpression Expression,
    TimeZoneInfo TimeZone,
    string? Environment,
    IReadOnlyDictionary<string, object?> Inputs,
    MissedTickPolicy Missed,
    SourceLocation Location)
{
    /// <summary>How runs it starts are triggered, recorded on the run: <c>schedule:0 10 * * 1-5</c>.</summary>
    public string Trigger => $"schedule:{Cron}";

    /// <summary>The first tick strictly after <paramref name="after"/>, or null when the expression never fires again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => Expression.GetNextOccurrence(after, TimeZone);

    /// <summary>The newest tick at or before <paramref name="now"/> and after <paramref name="since"/>, or null.</summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset since, DateTimeOffset now) =>
        Expression.GetOccurrences(since, now, TimeZone, fromInclusive: false, toInclusive: true).Select(t => (DateTimeOffset?)t).LastOrDefault();
}
