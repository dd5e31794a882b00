using Gantry.Engine.Documents;

namespace Gantry.Engine.Model;

/// <summary>A workflow document: inputs, steps, what to do on failure, and how runs share keys.</summary>
public sealed class WorkflowDefinition
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<InputDeclaration> Inputs { get; init; } = [];

    public ConcurrencySettings? Concurrency { get; init; }

    public IReadOnlyList<StepNode> Steps { get; init; } = [];

    public IReadOnlyList<StepNode> OnFailure { get; init; } = [];

    /// <summary>What its failing steps do unless they say otherwise (<c>on_error: ask</c>: guided failure).</summary>
    public OnErrorSettings? OnError { get; init; }

    public IReadOnlyList<TriggerDeclaration> Triggers { get; init; } = [];

    /// <summary>The <c>on.schedule</c> entries: cron ticks that start the workflow.</summary>
    public IReadOnlyList<ScheduleDeclaration> Schedules { get; init; } = [];

    /// <summary>What the workflow returns to a caller: name → template over its steps' outputs.</summary>
    public IReadOnlyList<DocEntry> Outputs { get; init; } = [];

    /// <summary>The file it came from (for messages), and its text (what a run is pinned to).</summary>
    public string SourcePath { get; init; } = "";

    public string SourceText { get; init; } = "";

    public SourceLocation Location { get; init; }

    /// <summary>Every step in the tree, depth first, with on_failure and finally blocks.</summary>
    public IEnumerable<StepNode> AllSteps() => Steps.Concat(OnFailure).SelectMany(s => s.SelfAndDescendants());
}

/// <summary>A declared input with its type, default and description.</summary>
public sealed record InputDeclaration(
    string Name,
    string Type,
    DocNode? Default,
    string? Description,
    bool Required,
    IReadOnlyList<string>? Choices,
    SourceLocation Location);

/// <summary>What a second run with the same key does while one holds it.</summary>
public enum ConcurrencyQueue
{
    /// <summary>Wait for the key (default).</summary>
    All,

    /// <summary>Refuse the new run, naming the run that holds the key.</summary>
    Reject,

    /// <summary>Queue, but only the newest queued run goes on; the others end as superseded.</summary>
    Latest,
}

public sealed record ConcurrencySettings(string Key, ConcurrencyQueue Queue, SourceLocation Location);

/// <summary>How a workflow may be started besides by hand: <c>on: { http: { path } , github: { event, branch } }</c>.</summary>
public sealed record TriggerDeclaration(string Kind, IReadOnlyDictionary<string, string> Settings, SourceLocation Location);
