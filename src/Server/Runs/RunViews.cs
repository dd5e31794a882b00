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
    public static RunView From(RunRecord run) => new(
        run.Id, run.WorkflowId, run.WorkflowVersion, run.EnvironmentId, run.Inputs, run.Status, run.Trigger, run.StartedBy,
        run.ConcurrencyKey, run.CreatedAt, run.UpdatedAt, run.Message);
}

/// <summary>A run with its journal.</summary>
public sealed record RunDetail(RunView Run, IReadOnlyList<JournalEvent> Journal, IReadOnlyList<WaitingStep> Waiting);

/// <summary>A step waiting now, and for which signal.</summary>
public sealed record WaitingStep(string Path, string? StepId, string Signal, string Kind, string Description);

/// <summary>A page of runs.</summary>
public sealed record RunPage(IReadOnlyList<RunView> Items, int Offset, int Limit);

/// <summary>Body of <c>POST /api/workflows/{id}/runs</c>.</summary>
public sealed record StartRunBody(string? Environment, Dictionary<string, System.Text.Json.JsonElement>? Inputs);
