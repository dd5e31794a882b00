using Gantry.Engine.Activities;
using Gantry.Engine.Model;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Puts a release on a set of hosts: over SSH for real environments, simulated in the sandbox.
/// A host that fails is put back on its previous release; the others keep the new one.
/// </summary>
internal interface IFleetDeployer
{
    Task<FleetResult> DeployAsync(FleetRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the release on the hosts without switching to it (fetch, build, verify), while they serve;
    /// a later <see cref="DeployAsync"/> of it only switches, restarts and checks health. Each outcome's
    /// Current is what the host still serves.
    /// </summary>
    Task<FleetResult> StageAsync(FleetRequest request, CancellationToken cancellationToken);

    /// <summary>Switches hosts back to their previous release, or to <see cref="FleetRequest.Release"/> when set.</summary>
    Task<FleetResult> RollbackAsync(FleetRequest request, CancellationToken cancellationToken);

    /// <summary>What each host has now (one round trip per host, hosts in parallel); changes nothing.</summary>
    /// <param name="probeHealth">Also probe each host's health check once.</param>
    Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(
        EnvironmentDefinition environment,
        IReadOnlyList<string> hosts,
        string dataDirectory,
        bool probeHealth,
        CancellationToken cancellationToken);

    /// <summary>What each of the request's hosts has now, read by a step of its run (over the run's SSH connections); changes nothing.</summary>
    Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(FleetRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the releases another tool left on each host Gantry's: the current one and the older release trees are
    /// marked complete (the test Gantry applies to its own) and recorded in revisions.log, so status and rollback see them.
    /// </summary>
    Task<IReadOnlyList<HostAdoption>> AdoptAsync(FleetRequest request, CancellationToken cancellationToken);
}

/// <summary>What adopting one host did.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Current">Its current release, or null when it has none.</param>
/// <param name="Adopted">Releases marked and recorded now, newest first (empty: nothing was left to adopt).</param>
/// <param name="Skipped">Release folders left alone, each with why (empty, newer than current).</param>
/// <param name="Error">Why the host could not be adopted, or null.</param>
internal sealed record HostAdoption(string Host, string? Current, IReadOnlyList<string> Adopted, IReadOnlyList<string> Skipped, string? Error = null);

/// <param name="Release">Tag or commit to deploy; for rollback, the release to go back to (null: the previous one).</param>
internal sealed record FleetRequest(
    EnvironmentDefinition Environment,
    IReadOnlyList<string> Hosts,
    string? Release,
    int MaxParallel,
    int KeepReleases,
    string RunId,
    string DataDirectory,
    IStepLog Log,
    ISecretAccessor Secrets)
{
    /// <summary>The full commit to fetch when <see cref="Release"/> is a short commit (a branch or commit deploy); null for a tag.</summary>
    public string? Commit { get; init; }
}

internal sealed record FleetResult(IReadOnlyList<HostOutcome> Hosts)
{
    public bool Succeeded => Hosts.All(h => h.Succeeded);
}

/// <param name="Current">The release the host serves now.</param>
/// <param name="Error">Why it failed: host, command, exit code and stderr tail.</param>
/// <param name="Unsettled">The host failed and its state is unknown or failing (its rollback failed too): it is quarantined.</param>
internal sealed record HostOutcome(string Host, bool Succeeded, string? Current, string? Previous, string? Error, bool Unsettled = false);

/// <param name="Current">What <c>current</c> points to on the host (the truth, whatever the log says).</param>
/// <param name="Previous">The complete release deployed before the current one.</param>
/// <param name="Releases">Complete releases kept on the host, newest first.</param>
/// <param name="History">revisions.log lines, oldest first.</param>
/// <param name="Healthy">One health probe's answer; null when not probed or there is no health check.</param>
/// <param name="Error">Why the host could not be read.</param>
internal sealed record HostReleaseState(
    string Host, string? Current, string? Previous, IReadOnlyList<string> Releases, IReadOnlyList<string> History,
    bool? Healthy = null, string? HealthProblem = null, string? Error = null)
{
    /// <summary>Release folders without Gantry's completion marker, newest first: another tool's releases, or a fetch Gantry did not
    /// finish.</summary>
    public IReadOnlyList<string> Foreign { get; init; } = [];
}
