using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>
/// Follows every path through a workflow (both sides of each <c>if</c>, a failure after any step
/// into the enclosing <c>on_failure</c> and <c>finally</c>, parallel branches in every order, loop
/// bodies zero, one or many times, called workflows) carrying the set of load-balancer states each
/// path can be in, and reports each lb step that could leave too few live groups.
/// </summary>
internal sealed class CapacityWalker(CapacityTopology topology, IReadOnlyDictionary<string, WorkflowDefinition> workflows)
{
    private const int MaxOrderedBranches = 4;
    private const int MaxLoopPasses = 8;
    private readonly CapacityRules _rules = new(topology);
    private readonly Dictionary<(string, string), Diagnostic> _reported = [];

    public IReadOnlyList<Diagnostic> Diagnostics =>
        _reported.Values.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ThenBy(d => d.Message, StringComparer.Ordinal).ToList();

    /// <summary>The workflow's steps, then its on_failure on every path that failed.</summary>
    public CapacityFlow WalkWorkflow(WorkflowDefinition workflow, CapacityScope scope, IReadOnlySet<CapacityState> entry)
    {
        var body = Walk(workflow.Steps, entry, scope);
        var handler = Walk(workflow.OnFailure, body.Failed, scope);
        return CapacityFlow.Of(body.Normal, handler.Normal.Concat(handler.Failed));
    }

    private CapacityFlow Walk(IReadOnlyList<StepNode> steps, IReadOnlySet<CapacityState> entry, CapacityScope scope) =>
        Walk(steps.Select(s => (s, scope)).ToList(), entry);

    private CapacityFlow Walk(IReadOnlyList<(StepNode Step, CapacityScope Scope)> steps, IReadOnlySet<CapacityState> entry)
    {
        var current = entry;
        var failed = new HashSet<CapacityState>();
        foreach (var (step, scope) in steps)
        {
            // Any step may fail before it changes anything (a deploy, a check, a timeout).
            failed.UnionWith(current);
            var flow = WalkStep(step, current, scope);
            failed.UnionWith(flow.Failed);
            var next = new HashSet<CapacityState>(flow.Normal);
            if (step.ContinueOnError)
            {
                next.UnionWith(flow.Failed);
            }

            if (step.If is not null)
            {
                next.UnionWith(current);
            }

            current = next;
        }

        return new CapacityFlow(current, failed);
    }

    private CapacityFlow WalkStep(StepNode step, IReadOnlySet<CapacityState> entry, CapacityScope scope) =>
        step switch
        {
            ActionStep action when action.Uses.StartsWith("lb.", StringComparison.Ordinal) => Act(action, entry, scope),
            GroupStep group => WalkGroup(group, entry, scope),
            ParallelStep parallel => WalkInAnyOrder(
                parallel.Branches.Select(b => (IReadOnlyList<(StepNode, CapacityScope)>)[(b, scope)]).ToList(),
                entry),
            ForeachStep loop => WalkForeach(loop, entry, scope),
            CallStep call => WalkCall(call, entry, scope),
            _ => new CapacityFlow(entry, new HashSet<CapacityState>()),
        };

    private CapacityFlow Act(ActionStep step, IReadOnlySet<CapacityState> entry, CapacityScope scope)
    {
        var normal = new HashSet<CapacityState>();
        var failed = new HashSet<CapacityState>();
        foreach (var state in entry)
        {
            var outcome = _rules.Apply(step, state, scope);
            if (outcome.Problem is { } problem)
            {
                Report(step, scope, problem);
                failed.Add(state); // the controller refuses, so the step fails with nothing changed
            }
            else
            {
                normal.Add(outcome.After);
            }
        }

        return new CapacityFlow(normal, failed);
    }

    private CapacityFlow WalkGroup(GroupStep group, IReadOnlySet<CapacityState> entry, CapacityScope scope)
    {
        var body = Walk(group.Steps, entry, scope);
        var failing = body.Failed;
        if (group.OnFailure.Count > 0)
        {
            var handler = Walk(group.OnFailure, body.Failed, scope);
            failing = handler.Normal.Concat(handler.Failed).ToHashSet();
        }

        var afterNormal = Walk(group.Finally, body.Normal, scope);
        var afterFailure = Walk(group.Finally, failing, scope);
        return CapacityFlow.Of(afterNormal.Normal, afterNormal.Failed.Concat(afterFailure.Normal).Concat(afterFailure.Failed));
    }

    /// <summary>Branches that run at once are followed in every order (a few branches) or forwards and backwards (many).</summary>
    private CapacityFlow WalkInAnyOrder(IReadOnlyList<IReadOnlyList<(StepNode, CapacityScope)>> branches, IReadOnlySet<CapacityState> entry)
    {
        var orders = branches.Count <= MaxOrderedBranches ? Permutations(branches) : [branches.ToList(), branches.Reverse().ToList()];
        var normal = new HashSet<CapacityState>();
        var failed = new HashSet<CapacityState>();
        foreach (var order in orders)
        {
            var flow = Walk(order.SelectMany(b => b).ToList(), entry);
            normal.UnionWith(flow.Normal);
            failed.UnionWith(flow.Failed);
        }

        return new CapacityFlow(normal, failed);
    }

    private CapacityFlow WalkForeach(ForeachStep loop, IReadOnlySet<CapacityState> entry, CapacityScope scope)
    {
        var items = ItemsOf(loop, scope);
        if (items is not null)
        {
            var iterations = items
                .Select(i => (IReadOnlyList<(StepNode, CapacityScope)>)loop.Steps.Select(s => (s, scope.WithLoop(loop.As, i))).ToList())
                .ToList();
            return loop.MaxParallel > 1 ? WalkInAnyOrder(iterations, entry) : Walk(iterations.SelectMany(i => i).ToList(), entry);
        }

        // Unknown items: the body may run any number of times; follow it until no new state appears.
        var bodyScope = scope.WithLoop(loop.As, null);
        var reached = new HashSet<CapacityState>(entry);
        var failed = new HashSet<CapacityState>();
        for (var pass = 0; pass < MaxLoopPasses; pass++)
        {
            var flow = Walk(loop.Steps, reached, bodyScope);
            failed.UnionWith(flow.Failed);
            var before = reached.Count;
            reached.UnionWith(flow.Normal);
            if (reached.Count == before)
            {
                break;
            }
        }

        return new CapacityFlow(reached, failed);
    }

    private IReadOnlyList<string>? ItemsOf(ForeachStep loop, CapacityScope scope)
    {
        var names = scope.Names(loop.Items);
        return names is [var single] && topology.Groups.ContainsKey(single) ? topology.HostsOf(single) : names;
    }

    private CapacityFlow WalkCall(CallStep call, IReadOnlySet<CapacityState> entry, CapacityScope scope)
    {
        var callee = (call.Version is { } version ? workflows.GetValueOrDefault(DefinitionLibrary.Key(call.Workflow, version)) : null)
            ?? (call.Workflow == scope.Workflow.Id ? scope.Workflow : workflows.GetValueOrDefault(call.Workflow));
        if (callee is null || scope.Calls.Contains(callee.Id))
        {
            return new CapacityFlow(entry, new HashSet<CapacityState>()); // unknown or a cycle: reported by the call rules
        }

        return WalkWorkflow(callee, scope.Enter(call, callee), entry);
    }

    private void Report(ActionStep step, CapacityScope scope, string problem)
    {
        var site = scope.Site ?? (StepNode)step;
        var message = scope.Site is null
            ? problem
            : $"workflow.call {string.Join(" → ", scope.Calls.Skip(1))}: {step.Path} at {step.Location}: {problem}";
        _reported.TryAdd((site.Location.ToString(), $"{step.Location}"), new Diagnostic(site.Location, site.Path, message));
    }

    private static List<List<T>> Permutations<T>(IReadOnlyList<T> items)
    {
        if (items.Count <= 1)
        {
            return [items.ToList()];
        }

        var result = new List<List<T>>();
        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            result.AddRange(Permutations(rest).Select(p => new List<T> { items[i] }.Concat(p).ToList()));
        }

        return result;
    }
}
