using Gantry.Engine.Documents;

namespace Gantry.Engine.Model;

/// <summary>
/// One node of a workflow's step tree. <see cref="Path"/> is its structural address
/// (<c>steps[3].steps[0]</c>); it names the step in messages, journals and replays.
/// </summary>
public abstract class StepNode
{
    public string? Id { get; internal set; }

    public string? Name { get; internal set; }

    public required string Path { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>Condition template; the step is skipped when it renders falsy.</summary>
    public DocScalar? If { get; internal set; }

    public TimeSpan? Timeout { get; internal set; }

    public RetrySettings? Retry { get; internal set; }

    public bool ContinueOnError { get; internal set; }

    /// <summary>This step's <c>on_error</c>; when absent, its workflow's applies (to steps outside on_failure and finally).</summary>
    public OnErrorSettings? OnError { get; internal set; }

    /// <summary>A label for people: the id, else the name, else what it does.</summary>
    public abstract string Label { get; }

    public virtual IEnumerable<IReadOnlyList<StepNode>> Children() => [];

    public IEnumerable<StepNode> SelfAndDescendants() =>
        new[] { this }.Concat(Children().SelectMany(list => list).SelectMany(s => s.SelfAndDescendants()));
}

/// <summary>Runs one activity: <c>uses: lb.flip</c>.</summary>
public sealed class ActionStep : StepNode
{
    public required string Uses { get; init; }

    public SourceLocation UsesLocation { get; init; }

    public DocMapping? With { get; init; }

    public override string Label => Id ?? Name ?? Uses;
}

/// <summary>Runs steps in order, with its own on_failure and finally.</summary>
public sealed class GroupStep : StepNode
{
    public IReadOnlyList<StepNode> Steps { get; init; } = [];

    public IReadOnlyList<StepNode> OnFailure { get; init; } = [];

    public IReadOnlyList<StepNode> Finally { get; init; } = [];

    public override string Label => Id ?? Name ?? "group";

    public override IEnumerable<IReadOnlyList<StepNode>> Children() => [Steps, OnFailure, Finally];
}

/// <summary>Runs each branch at the same time; fails when any branch fails, after all have ended.</summary>
public sealed class ParallelStep : StepNode
{
    public IReadOnlyList<StepNode> Branches { get; init; } = [];

    public override string Label => Id ?? Name ?? "parallel";

    public override IEnumerable<IReadOnlyList<StepNode>> Children() => [Branches];
}

/// <summary>Runs its steps once per item (a list, or the hosts of a group), at most <see cref="MaxParallel"/> at once.</summary>
public sealed class ForeachStep : StepNode
{
    public required DocNode Items { get; init; }

    public string As { get; init; } = "item";

    public int MaxParallel { get; init; } = 1;

    public IReadOnlyList<StepNode> Steps { get; init; } = [];

    public override string Label => Id ?? Name ?? "foreach";

    public override IEnumerable<IReadOnlyList<StepNode>> Children() => [Steps];
}

/// <summary>Runs another workflow with its own inputs and returns its outputs: <c>uses: workflow.call</c>.</summary>
public sealed class CallStep : StepNode
{
    public required string Workflow { get; init; }

    public SourceLocation WorkflowLocation { get; init; }

    /// <summary>The called version (<c>version: N</c>); null calls the latest published one.</summary>
    public int? Version { get; init; }

    /// <summary>Where <c>version:</c> is written (the step's location when it is not).</summary>
    public SourceLocation VersionLocation { get; init; }

    public DocMapping? Inputs { get; init; }

    public override string Label => Id ?? Name ?? $"call {Workflow}";
}

/// <summary>Retry policy of one step.</summary>
public sealed record RetrySettings(int Attempts, TimeSpan Delay, BackoffKind Backoff, TimeSpan? MaxDelay, IReadOnlyList<string> On);

public enum BackoffKind { Constant, Linear, Exponential }
