using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// The real fleet's HAProxy servers read over its admin socket with <c>show servers state</c>, for a
/// <see cref="LiveGroupsSampler"/>: ready is admin state 0 (no maintenance, no drain, of any origin), healthy is
/// operational state 2 (running).
/// </summary>
internal static class HAProxyServersState
{
    public static LiveGroupsSampler Start(RealFleet fleet, int minLiveGroups) =>
        new(
            async ct => Parse(await fleet.HAProxyCommandAsync($"show servers state {fleet.HAProxyBackend}", ct)),
            fleet.Hosts.GroupBy(h => h.Group).ToDictionary(g => g.Key, g => g.Select(h => h.Name).ToArray()),
            minLiveGroups);

    /// <summary>Parses the reply: a format version line, a "# be_id be_name srv_id srv_name ..." header, one line per server.</summary>
    internal static IReadOnlyDictionary<string, ServerState> Parse(string reply)
    {
        var lines = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines.FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#', ' ').Split(' ')
            ?? throw new InvalidOperationException($"show servers state answered without a header: {reply}");
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"show servers state has no column {name}: {reply}");
        var (server, operational, admin) = (Column("srv_name"), Column("srv_op_state"), Column("srv_admin_state"));
        return lines.Where(l => !l.StartsWith('#') && l.Contains(' ', StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(c => c[server], c => new ServerState(c[admin] == "0", c[operational] == "2"), StringComparer.Ordinal);
    }
}
