using Gantry.Engine.Runtime;

namespace Gantry.Server.Runs;

/// <summary>A run as the API shows it: never the pinned environment text or definitions, which may hold secret values.</summary>
public sealed record RunView(
    string Id,
    string WorkflowId,
    int? WorkflowVersion,
    string? EnvironmentId,
    IReadOnlyDictionary<string, object?> Inputs,
    RunStatus Status,
    string Trigger,
    string? StartedBy,
    string? ConcurrencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Message)
{
    /// <summary>The node executing the run now (holding its live lease), or null.</summary>
    public string? ExecutingOn { get; init; }

    /// <summary>
    /// True when the run is Running but no process holds a live lease on it: the process that executed it
    /// died. A server or worker on the store takes it over; <c>gantry runs resume RUN</c> does it from a terminal.
    /// </summary>
    public bool Orphaned { get; init; }

    public static RunView From(RunRecord run) => From(run, TimeProvider.System.GetUtcNow());

    public static RunView From(RunRecord run, DateTimeOffset now) => new(
        run.Id, run.WorkflowId, run.WorkflowVersion, run.EnvironmentId, run.Inputs, run.Status, run.Trigger, run.StartedBy,
        run.ConcurrencyKey, run.CreatedAt, run.UpdatedAt, run.Message)
    {
        ExecutingOn = run.IsLeasedAt(now) ? run.LeaseOwner : null,
        Orphaned = run.IsOrphaned(now),
    };
}

/// <summary>A run with its journal.</summary>
public sealed record RunDetail(RunView Run, IReadOnlyList<JournalEvent> Journal, IReadOnlyList<WaitingStep> Waiting);

/// <summary>A step waiting now, and for which signal.</summary>
public sealed record WaitingStep(string Path, string? StepId, string Signal, string Kind, string Description);

/// <summary>A page of runs.</summary>
public sealed record RunPage(IReadOnlyList<RunView> Items, int Offset, int Limit);

/// <summary>Body of <c>POST /api/workflows/{id}/runs</c>.</summary>
public sealed record StartRunBody(string? Environment, Dictionary<string, System.Text.Json.JsonElement>? Inputs);
