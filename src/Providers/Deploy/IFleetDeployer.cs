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

    /// <summary>Switches hosts back to their previous release, or to <see cref="FleetRequest.Release"/> when set.</summary>
    Task<FleetResult> RollbackAsync(FleetRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(EnvironmentDefinition environment, IReadOnlyList<string> hosts, string dataDirectory, CancellationToken cancellationToken);
}

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
internal sealed record HostOutcome(string Host, bool Succeeded, string? Current, string? Previous, string? Error);

internal sealed record HostReleaseState(string Host, string? Current, IReadOnlyList<string> Releases, IReadOnlyList<string> History, string? Error = null);
