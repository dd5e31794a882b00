using System.Text.RegularExpressions;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Running;

/// <summary>What a step instance is doing now, as its journal events tell it.</summary>
internal enum StepState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
    Waiting,
}

/// <summary>One step instance (or foreach item) in the live tree.</summary>
internal sealed class RunTreeNode(string key, string label)
{
    public string Key { get; } = key;

    public string Label { get; set; } = label;

    public string? Activity { get; set; }

    public string? Host { get; set; }

    public StepState State { get; set; } = StepState.Pending;

    public DateTimeOffset? Started { get; set; }

    public DateTimeOffset? Ended { get; set; }

    /// <summary>Error, wait description or retry note.</summary>
    public string? Note { get; set; }

    /// <summary>The last log line, shown under a running step.</summary>
    public string? LastLog { get; set; }

    public (int Done, int Total, int Failed)? Hosts { get; set; }

    /// <summary>A foreach item has no journal events of its own; its children carry them.</summary>
    public bool IsItem { get; init; }

    public RunTreeNode? Parent { get; set; }

    public List<RunTreeNode> Children { get; } = [];
}

/// <summary>
/// A run's step tree rebuilt from its journal events alone: step keys (<c>steps[3].group[0]</c>,
/// <c>steps[2][1]/steps[2].steps[0]</c> for foreach items, <c>steps[5]/steps[1]</c> for
/// workflow.call children) give each instance its parent. Not thread-safe: the observer locks.
/// </summary>
internal sealed partial class RunTree
{
    private readonly Dictionary<string, RunTreeNode> _nodes = new(StringComparer.Ordinal);

    public RunTree(RunRecord run)
    {
        Run = run;
        SeedPending(run);
    }

    public RunRecord Run { get; }

    public List<RunTreeNode> Roots { get; } = [];

    public RunStatus? Status { get; private set; }

    public string? Message { get; private set; }

    public void Apply(JournalEvent e)
    {
        switch (e.Type)
        {
            case JournalEventTypes.RunStarted or JournalEventTypes.RunResumed:
                Status = RunStatus.Running;
                return;
            case JournalEventTypes.RunFinished:
                Status = e.Status;
                Message = e.Message;
                return;
        }

        if (e.Path is null)
        {
            return;
        }

        var node = Ensure(e.Path);
        node.Label = e.StepId ?? (node.Label == LastSegment(e.Path) ? e.Activity ?? node.Label : node.Label);
        node.Activity ??= e.Activity;
        if (e.Type is not (JournalEventTypes.Log or JournalEventTypes.Progress) && e.Host is not null)
        {
            // A host on a step's own events means the step runs for that host; log lines of a
            // multi-host step name each host in turn and say nothing about the step.
            node.Host ??= e.Host;
            if (node.Parent is { IsItem: true } item)
            {
                item.Label = e.Host;
            }
        }

        switch (e.Type)
        {
            case JournalEventTypes.StepStarted:
                node.State = StepState.Running;
                node.Started ??= e.Time;
                Status = RunStatus.Running;
                break;
            case JournalEventTypes.StepResumed:
                node.State = StepState.Running;
                node.Note = null;
                Status = RunStatus.Running;
                break;
            case JournalEventTypes.StepSucceeded:
                Finish(node, StepState.Succeeded, e.Time, null);
                break;
            case JournalEventTypes.StepFailed:
                Finish(node, StepState.Failed, e.Time, e.Error?.Message);
                break;
            case JournalEventTypes.StepSkipped:
                Finish(node, StepState.Skipped, e.Time, e.Message);
                break;
            case JournalEventTypes.StepWaiting:
                // As JournalState has it: the run waits once a step does (the engine then suspends it).
                Status = RunStatus.Waiting;
                node.State = StepState.Waiting;
                node.Started ??= e.Time;
                node.Note = e.Wait?.Description ?? e.Message;
                break;
            case JournalEventTypes.StepRetrying:
                node.Note = e.Message;
                break;
            case JournalEventTypes.Log:
                node.LastLog = e.Host is null ? e.Message : $"{e.Host}: {e.Message}";
                break;
            case JournalEventTypes.Progress when ProgressText().Match(e.Message ?? "") is { Success: true } m:
                node.Hosts = (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
                break;
        }
    }

    private static void Finish(RunTreeNode node, StepState state, DateTimeOffset time, string? note)
    {
        node.State = state;
        node.Ended = time;
        node.Note = note;
        node.LastLog = null;
    }

    /// <summary>The workflow's own steps (not loop or call instances) are known before they start: shown pending.</summary>
    private void SeedPending(RunRecord run)
    {
        if (!run.Definitions.TryGetValue(run.WorkflowId, out var text) || DocumentLoader.LoadWorkflow(text, run.WorkflowId).Value is not { } workflow)
        {
            return;
        }

        void Seed(IEnumerable<StepNode> steps)
        {
            foreach (var step in steps)
            {
                var node = Ensure(step.Path);
                node.Label = step.Label;
                node.Activity = step switch
                {
                    ActionStep action => action.Uses,
                    CallStep call => $"workflow.call:{call.Workflow}",
                    _ => null,
                };
                switch (step)
                {
                    case GroupStep group:
                        Seed(group.Steps);
                        break;
                    case ParallelStep parallel:
                        Seed(parallel.Branches);
                        break;
                }
            }
        }

        Seed(workflow.Steps);
    }

    private RunTreeNode Ensure(string key)
    {
        if (_nodes.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var slash = key.LastIndexOf('/');
        var prefix = slash < 0 ? "" : key[..slash];
        var last = key[(slash + 1)..];
        var dot = last.LastIndexOf('.');
        RunTreeNode? parent = null;
        if (dot >= 0 && _nodes.TryGetValue(Join(prefix, last[..dot]), out var structural))
        {
            parent = structural;
        }
        else if (prefix.Length > 0)
        {
            parent = EnsureInstance(prefix);
        }
        else if (dot >= 0)
        {
            parent = Ensure(last[..dot]);
        }

        return Add(new RunTreeNode(key, LastSegment(key)), parent);
    }

    /// <summary>The node a key prefix names: a workflow.call step, or a foreach item <c>steps[2][1]</c>.</summary>
    private RunTreeNode EnsureInstance(string prefix)
    {
        if (_nodes.TryGetValue(prefix, out var existing))
        {
            return existing;
        }

        if (ItemKey().Match(prefix) is { Success: true } item && item.Groups[1].Value.EndsWith(']'))
        {
            var loop = Ensure(item.Groups[1].Value);
            return Add(new RunTreeNode(prefix, $"[{item.Groups[2].Value}]") { IsItem = true }, loop);
        }

        return Ensure(prefix);
    }

    private RunTreeNode Add(RunTreeNode node, RunTreeNode? parent)
    {
        _nodes[node.Key] = node;
        node.Parent = parent;
        (parent?.Children ?? Roots).Add(node);
        return node;
    }

    private static string Join(string prefix, string path) => prefix.Length == 0 ? path : prefix + "/" + path;

    private static string LastSegment(string key) => key[(key.LastIndexOf('/') + 1)..];

    [GeneratedRegex(@"^(\d+)/(\d+) done, (\d+) failed$")]
    private static partial Regex ProgressText();

    [GeneratedRegex(@"^(.*)\[(\d+)\]$")]
    private static partial Regex ItemKey();
}
