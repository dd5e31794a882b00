using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;
using Gantry.Engine.Validation;
using Gantry.Providers.LoadBalancers.Capacity;

namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Finds, before anything runs, every path through a workflow on which an lb.* step would leave
/// fewer than the environment's <c>min_live_groups</c> live (the controller would refuse it mid-run),
/// or an lb.flip would find other than one live and one out group. Every branch is followed: both
/// sides of each <c>if</c>, a failure after any step into <c>on_failure</c> and <c>finally</c>,
/// parallel branches in any order, loop bodies, and called workflows. Starts from every group live.
/// Runs only when validation names an environment: the groups and the minimum come from it.
/// </summary>
public sealed class CapacityAnalyzer : IWorkflowAnalyzer
{
    /// <inheritdoc />
    public IEnumerable<Diagnostic> Analyze(WorkflowDefinition workflow, ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Environment is not { } environment
            || environment.LoadBalancer.Provider == LoadBalancerProviders.None
            || environment.Groups.Count == 0)
        {
            return [];
        }

        var walker = new CapacityWalker(new CapacityTopology(environment), context.Workflows);
        walker.WalkWorkflow(workflow, CapacityScope.For(workflow), new HashSet<CapacityState> { CapacityState.AllLive });
        return walker.Diagnostics;
    }
}
