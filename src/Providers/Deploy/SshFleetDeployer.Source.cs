using Gantry.Providers.Ssh;
using Model = Gantry.Engine.Model;

namespace Gantry.Providers.Deploy;

/// <summary>Where the hosts get the release from: origin, or an archive made on this machine.</summary>
internal sealed partial class SshFleetDeployer
{
    /// <summary>
    /// Where the hosts get the release: origin (a clone), or an archive made here. The archive is not
    /// made when every host already has the release complete (staged), so a deploy after a staging
    /// does no git work on this machine either.
    /// </summary>
    private async Task<ReleaseSourceLease> SourceAsync(
        SshConnectionPool pool,
        FleetRequest request,
        IReadOnlyList<DeployTarget> targets,
        CancellationToken cancellationToken)
    {
        var environment = request.Environment;
        if (environment.Deploy.Source != Model.ReleaseSource.Archive)
        {
            return new ReleaseSourceLease(new GitReleaseSource(ReleaseArchive.Origin(environment)) { Commit = request.Commit }, null);
        }

        var deployer = new ReleaseDeployer(pool, timeProvider: time);
        var states = await Task.WhenAll(targets.Select(async t =>
        {
            try
            {
                return await deployer.ReadStateAsync(t, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SshHostException or DeployException or IOException)
            {
                return null;
            }
        })).ConfigureAwait(false);
        if (states.All(s => s is not null && s.Releases.Contains(request.Release!)))
        {
            return new ReleaseSourceLease(new ArchiveReleaseSource(Path.Combine(Path.GetTempPath(), "gantry-unused-archive.tar.gz")), null);
        }

        var archive = await ReleaseArchive.CreateAsync(environment, request.Commit ?? request.Release!, cancellationToken).ConfigureAwait(false);
        return new ReleaseSourceLease(new ArchiveReleaseSource(archive), archive);
    }

    /// <summary>A release source and the archive file to delete once the hosts have it.</summary>
    private sealed record ReleaseSourceLease(ReleaseSource Source, string? Archive) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (Archive is not null)
            {
                ReleaseArchive.TryDelete(Archive);
            }

            return ValueTask.CompletedTask;
        }
    }
}
