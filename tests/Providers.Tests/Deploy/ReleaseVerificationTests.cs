using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Deploy;

/// <summary>A health check that requires the release just deployed (expect_release), on real sshd and the fixture's app.</summary>
[Collection(SshFleetCollection.Name)]
public sealed class ReleaseVerificationTests(SshFleetFixture fleet) : IDisposable
{
    private readonly SshConnectionPool _pool = new(fleet.Options());

    private GitReleaseSource Git => new(fleet.OriginUrl);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task DeployAsync_HostStillServesTheOldRelease_FailsNamingBothAndRollsBack()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var url = web1.Url + "health";

        // A restart that does not take (the old process keeps the port): the host answers 200, with 3.0.0.
        var stale = web1.Target with
        {
            Layout = web1.Layout with { RestartCommand = "true", HealthCheck = new HttpHealthCheck(url) { ExpectRelease = true, Attempts = 3, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(stale, "v3.0.1", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 3 attempts (100 ms apart): GET {url} answered 200 but does not name v3.0.1 (or 3.0.1): it serves '3.0.0'.",
            ex.Message);
        Assert.Equal((DeployStep.HealthCheck, "v3.0.0"), (ex.Step, ex.LeftOn));
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_HostServesTheNewRelease_PassesTheReleaseCheck()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var checking = web1.Target with
        {
            Layout = web1.Layout with { HealthCheck = new HttpHealthCheck(web1.Url + "health") { ExpectRelease = true, Attempts = 40, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var result = await deployer.DeployAsync(checking, "v3.0.1", Git, "run-2", CancellationToken.None);

        Assert.Equal(("v3.0.1", "v3.0.0", true), (result.Release, result.Previous, result.Changed));
        Assert.Equal("3.0.1", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_ExpectBodyRenderedPerRelease_RollbackChecksTheReleaseItGoesTo()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var url = web1.Url + "health";
        var stale = web1.Target with
        {
            Layout = web1.Layout with
            {
                RestartCommand = "true",
                HealthCheck = new HttpHealthCheck(url) { ExpectBodyFor = release => release.TrimStart('v') + "\n", Attempts = 2, Interval = TimeSpan.FromMilliseconds(100) },
            },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(stale, "v3.0.1", Git, "run-2", CancellationToken.None));

        // The rollback's own check expects 3.0.0, which the host serves: "rolled back", not "failed as well".
        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 2 attempts (100 ms apart): GET {url} answered 200 but the body does not contain '3.0.1\n'.",
            ex.Message);
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
    }
}
