using System.Text.Json.Serialization;
using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Status;

/// <summary>
/// An environment as it really is now: per group the load balancer's view, per host the release
/// <c>current</c> points to, the releases kept and when and by which run each was made current.
/// Read fresh every time; nothing is remembered.
/// </summary>
/// <param name="Environment">The environment id.</param>
/// <param name="ReadAt">When it was read.</param>
/// <param name="Groups">The groups, in configured order.</param>
/// <param name="LoadBalancerError">Why the load balancer could not be asked, or null (also null when there is none).</param>
public sealed record FleetStatus(string Environment, DateTimeOffset ReadAt, IReadOnlyList<FleetGroupStatus> Groups, string? LoadBalancerError)
{
    /// <summary>Every host of every group.</summary>
    [JsonIgnore]
    public IEnumerable<FleetHostStatus> Hosts => Groups.SelectMany(g => g.Hosts);
}

/// <summary>One group: its state in the load balancer, its servers there and its hosts.</summary>
/// <param name="Name">Group name.</param>
/// <param name="State">Live, out or inconsistent; null when the load balancer could not be asked or there is none.</param>
/// <param name="Servers">The load balancer's servers of the group (empty without a load balancer).</param>
/// <param name="Hosts">The group's hosts.</param>
public sealed record FleetGroupStatus(string Name, GroupState? State, IReadOnlyList<ServerState> Servers, IReadOnlyList<FleetHostStatus> Hosts);

/// <summary>One host as it really is.</summary>
/// <param name="Name">Host name.</param>
/// <param name="Group">Its group.</param>
/// <param name="Current">The release <c>current</c> points to now, or null.</param>
/// <param name="Releases">The complete releases kept on the host, newest first.</param>
/// <param name="Healthy">Whether the environment's health check passed just now; null when there is none or the host could not be read.</param>
/// <param name="HealthProblem">What the health check found wrong.</param>
/// <param name="Balancer">The load balancer's view of its server, or null.</param>
/// <param name="Drift">Set when <c>current</c> is not what the last revisions.log entry says (switched by hand).</param>
/// <param name="Error">Why the host could not be read.</param>
/// <param name="Quarantine">Why the host is quarantined (a failed host whose rollback failed too), by which run and since when; null when it is
/// not.</param>
public sealed record FleetHostStatus(
    string Name,
    string Group,
    string? Current,
    IReadOnlyList<KeptRelease> Releases,
    bool? Healthy,
    string? HealthProblem,
    HostBalancerView? Balancer,
    string? Drift,
    string? Error,
    string? Quarantine = null)
{
    /// <summary>The release kept before the current one, or null.</summary>
    public string? Previous => Releases.SkipWhile(r => r.Name != Current).Skip(1).FirstOrDefault()?.Name;

    /// <summary>
    /// Release folders without Gantry's completion marker, newest first: releases another tool (Capistrano, Fabric,
    /// a script) deployed, or a fetch Gantry did not finish. <c>gantry deploy adopt</c> makes the current one and
    /// the older ones Gantry's.
    /// </summary>
    public IReadOnlyList<string> Foreign { get; init; } = [];

    /// <summary>True when current points at a release another tool deployed (Gantry only switches to complete releases).</summary>
    public bool CurrentIsForeign => Current is not null && Foreign.Contains(Current);
}

/// <summary>A release kept on a host.</summary>
/// <param name="Name">The release (tag or commit).</param>
/// <param name="Current">True for the release current points to.</param>
/// <param name="At">When it was last made current (revisions.log), or null when the log does not say.</param>
/// <param name="Action"><c>deploy</c> or <c>rollback</c>.</param>
/// <param name="Run">The run that made it current.</param>
/// <param name="Commit">Its short commit, when recorded.</param>
public sealed record KeptRelease(string Name, bool Current, DateTimeOffset? At, string? Action, string? Run, string? Commit);

/// <summary>A host's server in the load balancer.</summary>
/// <param name="Server">The server name.</param>
/// <param name="Live">True when it takes traffic.</param>
/// <param name="Admin">Its admin state (ready, drain, maint).</param>
/// <param name="Health">Its health as the load balancer checks it.</param>
/// <param name="Sessions">Current sessions.</param>
public sealed record HostBalancerView(string Server, bool Live, AdminState Admin, HealthState Health, int Sessions);
