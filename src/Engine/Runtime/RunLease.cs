namespace Gantry.Engine.Runtime;

/// <summary>
/// One node's claim on a run. Every claim gives the run a new, higher <paramref name="Generation"/>,
/// so a node that lost its lease (and may not know it yet) is told apart from the node holding it
/// now: writes fenced by a stale lease are rejected with <see cref="LeaseLostException"/>.
/// </summary>
/// <param name="RunId">The claimed run.</param>
/// <param name="NodeId">The node that claimed it.</param>
/// <param name="Generation">The run's lease generation this claim created.</param>
public sealed record RunLease(string RunId, string NodeId, long Generation);

