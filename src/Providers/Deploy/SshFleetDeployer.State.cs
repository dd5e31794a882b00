using Gantry.Engine.Model;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>Reading what hosts run (status, rollback planning) and adopting releases another tool deployed.</summary>
internal sealed partial class SshFleetDeployer
{
    public async Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(
        EnvironmentDefinition environment,
        IReadOnlyList<string> hosts,
        string dataDirectory,
        bool probeHealth,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // Outside a run: no secret accessor, so a key_secret is read straight from its reference in the environment.
        using var pool = new SshConnectionPool(
            SshEnvironment.Options(environment, name => EnvironmentReferences.Secret(environment, name), static text => text, log: null),
            time);
        return await ReadStatesAsync(pool, environment, hosts, probeHealth, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HostReleaseState>> ReadStateAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var borrowed = Borrow(request);
        return await ReadStatesAsync(borrowed.Pool, request.Environment, request.Hosts, probeHealth: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<HostReleaseState>> ReadStatesAsync(
        SshConnectionPool pool,
        EnvironmentDefinition environment,
        IReadOnlyList<string> hosts,
        bool probeHealth,
        CancellationToken cancellationToken)
    {
        var targets = DeployTargets.For(environment, hosts, Math.Max(2, environment.Deploy.KeepReleases));
        var deployer = new ReleaseDeployer(pool, timeProvider: time);
        var states = await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                if (!probeHealth)
                {
                    var state = await deployer.ReadStateAsync(target, cancellationToken).ConfigureAwait(false);
                    return new HostReleaseState(target.Host.Name, state.Current, Previous(state), state.Releases, state.RecentRevisions)
                    {
                        Foreign = state.Incomplete,
                    };
                }

                        var inspection = await deployer.InspectAsync(target, cancellationToken).ConfigureAwait(false);
                        var read = inspection.State;
                        return new HostReleaseState(
                            target.Host.Name,
                            read.Current,
                            Previous(read),
                            read.Releases,
                            read.RecentRevisions,
                            inspection.Healthy,
                            inspection.HealthProblem)
                        {
                            Foreign = read.Incomplete,
                        };
                    }
                    catch (Exception ex) when (ex is SshHostException or DeployException or IOException)
                    {
                        return new HostReleaseState(target.Host.Name, null, null, [], [], Error: ex.Message);
                    }
                }))
            .ConfigureAwait(false);
        return states;
    }

    public async Task<IReadOnlyList<HostAdoption>> AdoptAsync(FleetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = DeployTargets.For(request.Environment, request.Hosts, Math.Max(2, request.KeepReleases));
        using var borrowed = Borrow(request);
        var adopter = new ReleaseAdopter(borrowed.Pool, time);
        return await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                var adoption = await adopter.AdoptAsync(target, request.RunId, cancellationToken).ConfigureAwait(false);
                return new HostAdoption(target.Host.Name, adoption.Current, adoption.Adopted, adoption.Skipped);
            }
            catch (Exception ex) when (ex is SshHostException or DeployException or IOException)
            {
                return new HostAdoption(target.Host.Name, null, [], [], ex.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// The first Gantry deploy on a host another tool deployed adopts what it finds first, as <c>gantry deploy adopt</c>
    /// does, so the rollback after it can go back to the release the other tool left. Called by the deploy when its
    /// script found a current release without Gantry's marker (a host Gantry deployed or adopted costs nothing more).
    /// A host that cannot be adopted is warned about and still deployed.
    /// </summary>
    private static async Task AdoptForeignAsync(
        ReleaseAdopter adopter,
        FleetRequest request,
        DeployTarget target,
        CancellationToken cancellationToken)
    {
        try
        {
            var adoption = await adopter.AdoptAsync(target, request.RunId, cancellationToken, onlyForeign: true).ConfigureAwait(false);
            if (adoption.Adopted.Count > 0)
            {
                request.Log.Info(
                    $"adopted {string.Join(", ", adoption.Adopted)} (deployed by another tool) into Gantry's history before the first deploy",
                    target.Host.Name);
            }
        }
        catch (Exception ex) when (ex is SshHostException or IOException or DeployException)
        {
            request.Log.Warn($"could not adopt the releases another tool left: {ex.Message}", target.Host.Name);
        }
    }

    /// <summary>
    /// The release the current one was deployed over, as revisions.log recorded it; folder times are
    /// the fallback only, since an app writing into its release folder changes them.
    /// </summary>
    private static string? Previous(ReleaseState state) => state.DeployedOver ?? state.Previous;
}
