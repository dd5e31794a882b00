using System.Security.Cryptography;
using System.Text;
using Gantry.Engine.Model;

namespace Gantry.Engine.Scheduling;

/// <summary>
/// One tick of a schedule to start: the host starts <see cref="Workflow"/> on the schedule's environment
/// with its inputs, under <see cref="RunId"/>, trigger <see cref="ScheduleDeclaration.Trigger"/> and <see cref="TriggerDetails"/>.
/// </summary>
public sealed record ScheduledStart(WorkflowDefinition Workflow, ScheduleDeclaration Schedule, DateTimeOffset Tick)
{
    /// <summary>
    /// The run's id, the same on every node for the same tick: the store's primary key is the claim,
    /// so however many nodes start the tick, one run exists.
    /// </summary>
    public string RunId => TickRunId(Workflow.Id, Schedule.Index, Tick);

    /// <summary>Recorded on the run (the run.triggered event): which schedule and which tick.</summary>
    public IReadOnlyDictionary<string, object?> TriggerDetails => new Dictionary<string, object?>
    {
        ["schedule"] = (long)Schedule.Index,
        ["cron"] = Schedule.Cron,
        ["timezone"] = Schedule.TimeZone.Id,
        ["tick"] = Tick.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string TickRunId(string workflowId, int scheduleIndex, DateTimeOffset tick) =>
        "s-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{workflowId}\n{scheduleIndex}\n{tick.UtcTicks}")))[..24];
}
