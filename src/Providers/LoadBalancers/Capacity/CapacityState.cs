namespace Gantry.Providers.LoadBalancers.Capacity;

/// <summary>
/// What the load balancer looks like on one path through a workflow: which servers are out of
/// rotation and the step that took each out. <see cref="Unknown"/> when a step's target could not
/// be resolved statically; nothing is reported on such a path until a step sets every group again.
/// </summary>
internal sealed class CapacityState : IEquatable<CapacityState>
{
    private readonly SortedDictionary<string, string>? _outSince;
    private readonly string _key;

    private CapacityState(SortedDictionary<string, string>? outSince)
    {
        _outSince = outSince;
        _key = outSince is null ? "?" : string.Join(";", outSince.Select(p => $"{p.Key}@{p.Value}"));
    }

    /// <summary>Every server live: how a workflow is assumed to start.</summary>
    public static CapacityState AllLive { get; } = new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    public static CapacityState Unknown { get; } = new(null);

    public bool IsKnown => _outSince is not null;

    /// <summary>The step that took <paramref name="server"/> out, or null when it is live.</summary>
    public string? OutSince(string server) => _outSince?.GetValueOrDefault(server);

    public bool IsOut(string server) => _outSince?.ContainsKey(server) == true;

    /// <summary>A state with <paramref name="bringLive"/> live and <paramref name="takeOut"/> out since <paramref name="step"/>.</summary>
    public CapacityState With(IEnumerable<string> bringLive, IEnumerable<string> takeOut, string step)
    {
        var next = new SortedDictionary<string, string>(
            _outSince ?? new SortedDictionary<string, string>(StringComparer.Ordinal),
            StringComparer.Ordinal);
        foreach (var server in bringLive)
        {
            next.Remove(server);
        }

        foreach (var server in takeOut)
        {
            next.TryAdd(server, step);
        }

        return new CapacityState(next);
    }

    public GroupState StateOf(IReadOnlyList<string> servers)
    {
        var live = servers.Count(s => !IsOut(s));
        return live == servers.Count ? GroupState.Live : live == 0 ? GroupState.Out : GroupState.Inconsistent;
    }

    public bool Equals(CapacityState? other) => other is not null && other._key == _key;

    public override bool Equals(object? obj) => Equals(obj as CapacityState);

    public override int GetHashCode() => _key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => _key;
}
