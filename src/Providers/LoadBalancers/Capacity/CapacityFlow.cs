namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>The states a block can end in: normally, or with a failure going up to the enclosing handlers.</summary>
internal sealed record CapacityFlow(IReadOnlySet<CapacityState> Normal, IReadOnlySet<CapacityState> Failed)
{
    public static CapacityFlow Of(IEnumerable<CapacityState> normal, IEnumerable<CapacityState> failed) =>
        new(normal.ToHashSet(), failed.ToHashSet());
}
