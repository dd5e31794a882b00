namespace Gantry.Engine.Runtime;

/// <summary>Where a run is in its life. Waiting runs hold no thread; Pending runs wait for a concurrency key.</summary>
public enum RunStatus { Pending, Running, Waiting, Succeeded, Failed, Cancelled, Superseded }

/// <summary>
/// A run: which definition (pinned by text and version), which environment, which inputs, and
/// where it is now. Everything else about it is in its journal.
/// </summary>
public sealed record RunRecord
{
    public required string Id { get; init; }

    public required string WorkflowId { get; init; }

    /// <summary>The definition version it started with (null when run from a file).</summary>
    public int? WorkflowVersion { get; init; }

    /// <summary>The exact text of every definition this run may execute (the workflow and the ones it calls), by id.</summary>
    public required IReadOnlyDictionary<string, string> Definitions { get; init; }

    public string? EnvironmentId { get; init; }

    /// <summary>The environment document's text at start, so a resumed run sees the same environment.</summary>
    public string? EnvironmentText { get; init; }

    /// <summary>Path of the environment file, for resolving relative paths (keys, known_hosts).</summary>
    public string? EnvironmentPath { get; init; }

    public IReadOnlyDictionary<string, object?> Inputs { get; init; } = new Dictionary<string, object?>();

    public RunStatus Status { get; init; } = RunStatus.Pending;

    public string? ConcurrencyKey { get; init; }

    /// <summary>How the run was started: cli, http, webhook:push, schedule…</summary>
    public string Trigger { get; init; } = "cli";

    public string? StartedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Why it failed, was cancelled or superseded.</summary>
    public string? Message { get; init; }

    /// <summary>The node holding the run's lease, that is executing it now (or was, until its lease expires); null when nobody does.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>When <see cref="LeaseOwner"/>'s lease ends unless it renews it.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>
    /// Whether the run was left executing by a process that is gone: it is Running but nobody holds a live
    /// lease on it. <c>gantry runs resume</c>, a server or a worker takes it over.
    /// </summary>
    public bool IsOrphaned(DateTimeOffset now) => Status == RunStatus.Running && !IsLeasedAt(now);

    /// <summary>Whether a node holds a lease on the run that has not expired at <paramref name="now"/>.</summary>
    public bool IsLeasedAt(DateTimeOffset now) => LeaseOwner is not null && LeaseExpiresAt > now;

    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Superseded;
}

/// <summary>Filters for listing runs.</summary>
public sealed record RunQuery
{
    public string? WorkflowId { get; init; }

    public string? EnvironmentId { get; init; }

    /// <summary>A trigger (<c>push</c>) also matches its detailed forms (<c>push:develop</c>, <c>http:deploy</c> for <c>http</c>).</summary>
    public string? Trigger { get; init; }

    public IReadOnlyCollection<RunStatus>? Statuses { get; init; }

    public string? ConcurrencyKey { get; init; }

    /// <summary>
    /// Only runs with a step that has waited for this signal (a <c>step.waiting</c> event naming
    /// it). Asked of the store, so a webhook reads the journals of those runs only; the wait may
    /// have ended since, which replaying the journal tells.
    /// </summary>
    public string? WaitedForSignal { get; init; }

    /// <summary>Only runs with a step that has waited with a timer (<c>resume_at</c>); as for <see cref="WaitedForSignal"/>, the wait may have ended
    /// since.</summary>
    public bool WaitedOnTimer { get; init; }

    public int Limit { get; init; } = 50;

    public int Offset { get; init; }
}
