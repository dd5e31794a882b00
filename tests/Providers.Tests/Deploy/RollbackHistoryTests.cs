using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Deploy;

/// <summary>A rollback without a release goes to what the host ran before, as its revisions.log recorded it (real sshd, real app).</summary>
[Collection(SshFleetCollection.Name)]
public sealed class RollbackHistoryTests(SshFleetFixture fleet) : IDisposable
{
    private readonly SshConnectionPool _pool = new(fleet.Options());

    private GitReleaseSource Git => new(fleet.OriginUrl);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task RollbackAsync_RefusedReleaseRolledBackThenNextOneFails_GoesBackToWhatRanBeforeNotTheRefusedOne()
    {
        // The canary scenario: v3.0.1 refused at its approval and rolled back, then v3.0.2 deployed
        // and its health gate failed. The newest folder older than v3.0.2 is the refused v3.0.1.
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);
        await deployer.RollbackAsync(web1.Target, null, "run-2", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.2", Git, "run-3", CancellationToken.None);

        var result = await deployer.RollbackAsync(web1.Target, null, "run-3", CancellationToken.None);

        Assert.Equal(new RollbackResult("web1", "v3.0.0", "v3.0.2"), result);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
        Assert.Equal(["v3.0.2", "v3.0.1", "v3.0.0"], (await deployer.ReadStateAsync(web1.Target, CancellationToken.None)).Releases);
    }

    [Fact]
    public async Task DeployAsync_DeployRollbackDeployThatFails_PutsBackWhatRanBefore()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);
        await deployer.RollbackAsync(web1.Target, null, "run-3", CancellationToken.None);
        var failsOnV302 = web1.Target with
        {
            Layout = web1.Layout with { HealthCheck = new HttpHealthCheck(web1.Url + "health") { ExpectBody = "3.0.0", Attempts = 40, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(failsOnV302, "v3.0.2", Git, "run-4", CancellationToken.None));

        Assert.Equal((DeployStep.HealthCheck, "v3.0.0"), (ex.Step, ex.LeftOn));
        Assert.Equal(
            $"Deploy of v3.0.2 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 40 attempts (100 ms apart): GET {web1.Url}health answered 200 but the body does not contain '3.0.0'.",
            ex.Message);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));

        // And a rollback asked for now finds nothing older than the first release in the log.
        var refused = await Assert.ThrowsAsync<DeployException>(() => deployer.RollbackAsync(web1.Target, null, "run-5", CancellationToken.None));
        Assert.Equal(
            $"Cannot roll back web1 (127.0.0.2:{fleet.Port}): there is no release older than v3.0.0 in {web1.Root}/releases; releases on the host (newest first): v3.0.2, v3.0.1, v3.0.0 (current).",
            refused.Message);
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
    }

    [Fact]
    public async Task RollbackAsync_HistoryWrittenByAnotherTool_FallsBackToTheOlderFolderAndSaysSo()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);

        // Capistrano writes its own revisions.log lines; none says what v3.0.1 was deployed over.
        var log = Path.Combine(web1.Root, "revisions.log");
        await File.WriteAllLinesAsync(log, [
            "Branch production (at 1a2b3c4) deployed as release v3.0.0 by deploy",
            "Branch production (at 5d6e7f8) deployed as release v3.0.1 by deploy",
        ]);

        var result = await deployer.RollbackAsync(web1.Target, null, "run-3", CancellationToken.None);

        Assert.Equal(
            new RollbackResult("web1", "v3.0.0", "v3.0.1",
                $"web1: {web1.Root}/revisions.log records no deploy of v3.0.1 (no log, or one another tool wrote), so the rollback goes to the release folder deployed before it, v3.0.0"),
            result);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task RollbackAsync_RecordedPreviousNoLongerKept_RefusesNamingIt()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.2", Git, "run-2", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-3", CancellationToken.None);
        Directory.Delete(Path.Combine(web1.Root, "releases", "v3.0.2"), recursive: true);

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.RollbackAsync(web1.Target, null, "run-4", CancellationToken.None));

        Assert.Equal(
            $"Cannot roll back web1 (127.0.0.2:{fleet.Port}): its revisions.log says v3.0.1 was deployed over v3.0.2, which is no longer kept in {web1.Root}/releases; "
            + "name the release to go back to, or clone v3.0.2 again (fetch); releases on the host (newest first): v3.0.1 (current), v3.0.0.",
            ex.Message);
        Assert.Equal("3.0.1", await FleetSite.ServedAsync(web1));
    }
}
