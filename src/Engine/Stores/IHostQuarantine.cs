namespace Gantry.Engine.Stores;

/// <summary>A host left in an unknown state (a failed host whose rollback failed too): which environment, why, by which run, since when.</summary>
public sealed record QuarantinedHost(string Environment, string Host, string Reason, string Run, DateTimeOffset Since);

/// <summary>
/// The hosts kept out of rotation until someone acts on them, in the store every node shares (SQLite
/// workspace or PostgreSQL), so a host quarantined by a run on one node is never brought live by a
/// load-balancer step on another. Read at the moment of deciding, never cached.
/// </summary>
public interface IHostQuarantine
{
    /// <summary>The environment's quarantined hosts, by host name.</summary>
    Task<IReadOnlyList<QuarantinedHost>> ListAsync(string environment, CancellationToken cancellationToken);

    /// <summary>Quarantines the host, or records the newer reason, run and time when it already is.</summary>
    Task AddAsync(QuarantinedHost host, CancellationToken cancellationToken);

    /// <summary>Takes the host out of quarantine; false when it was not in it.</summary>
    Task<bool> ReleaseAsync(string environment, string host, CancellationToken cancellationToken);
}
