using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Deploy;

[Collection(SshFleetCollection.Name)]
public sealed class ReleaseDeployerTests(SshFleetFixture fleet) : IDisposable
{
    private readonly SshConnectionPool _pool = new(fleet.Options());

    private GitReleaseSource Git => new(fleet.OriginUrl);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task DeployAsync_FirstRelease_SwitchesCurrentLogsAndServesIt()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);

        var result = await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);

        Assert.Equal(new DeployResult("web1", "v3.0.0", null, Changed: true, Reused: false, [], null), result with { Pruned = [] });
        Assert.Empty(result.Pruned);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("releases/v3.0.0", new FileInfo(Path.Combine(web1.Root, "current")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(web1.Root, "releases", "v3.0.0", ".gantry-complete")));
        var log = (await File.ReadAllLinesAsync(Path.Combine(web1.Root, "revisions.log"))).Single().Split('\t');
        Assert.Equal(["deploy", "v3.0.0", "-", "run-1", await fleet.ShortCommitAsync("v3.0.0")], log[1..]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", log[0]);
    }

    [Fact]
    public async Task DeployAsync_SameTagAgain_ReusesReleaseWithoutRestart()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-1", CancellationToken.None);
        var pid = await File.ReadAllTextAsync(Path.Combine(web1.Root, "app.pid"));

        var again = await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);

        Assert.Equal((false, true, "v3.0.1"), (again.Changed, again.Reused, again.Release));
        Assert.Equal(pid, await File.ReadAllTextAsync(Path.Combine(web1.Root, "app.pid")));
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(web1.Root, "revisions.log")));
        Assert.Equal("3.0.1", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_OlderCompleteReleaseOnHost_IsReusedNotFetchedAgain()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);

        var back = await deployer.DeployAsync(web1.Target, "v3.0.0", new GitReleaseSource("file:///nonexistent"), "run-3", CancellationToken.None);

        Assert.Equal((true, true, "v3.0.1"), (back.Changed, back.Reused, back.Previous));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_MoreReleasesThanKept_PrunesOldestKeepingCurrentAndPrevious()
    {
        var web1 = fleet.NewSite(1)[0];
        var target = web1.Target with { Layout = web1.Layout with { KeepReleases = 2 } };
        var deployer = new ReleaseDeployer(_pool);
        var results = new List<DeployResult>();

        foreach (var tag in SshFleetFixture.Tags)
        {
            results.Add(await deployer.DeployAsync(target, tag, Git, "run-" + tag, CancellationToken.None));
        }

        Assert.Equal([[], [], ["v3.0.0"], ["v3.0.1"]], results.Select(r => r.Pruned.ToArray()));
        Assert.Equal(["v3.0.2", "v3.0.3"], FleetSite.ReleasesOf(web1));
        Assert.Equal("3.0.3", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_FetchesKilledWithTheirSessionLongAgo_AreDeleted_OneInProgressIsNot()
    {
        var web1 = fleet.NewSite(1)[0];
        var releases = Directory.CreateDirectory(Path.Combine(web1.Root, "releases")).FullName;
        var killedClone = Directory.CreateDirectory(Path.Combine(releases, "v3.0.1.tmp-0badf00d", ".git")).Parent!.FullName;
        var killedUpload = Path.Combine(releases, ".v3.0.2.upload-0badf00d.tar.gz");
        await File.WriteAllTextAsync(killedUpload, "half an archive");
        Directory.SetLastWriteTimeUtc(killedClone, DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(killedUpload, DateTime.UtcNow.AddHours(-2));
        var inProgress = Directory.CreateDirectory(Path.Combine(releases, "v3.0.3.tmp-5ca1ab1e")).FullName;

        var result = await new ReleaseDeployer(_pool).DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);

        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
        Assert.Empty(result.Pruned);
        Assert.Equal(["v3.0.0", "v3.0.3.tmp-5ca1ab1e"], Directory.GetFileSystemEntries(releases).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(inProgress));
    }

    [Fact]
    public async Task DeployAsync_LeftoverNamedToInjectACommand_IsDeletedAsAName_NotRun()
    {
        var web1 = fleet.NewSite(1)[0];
        var releases = Directory.CreateDirectory(Path.Combine(web1.Root, "releases")).FullName;
        var hostile = Directory.CreateDirectory(Path.Combine(releases, "v3.0.1.tmp-$(touch pwned); touch 'pwned2' #")).FullName;
        Directory.SetLastWriteTimeUtc(hostile, DateTime.UtcNow.AddHours(-2));

        await new ReleaseDeployer(_pool).DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);

        Assert.Equal(["v3.0.0"], Directory.GetFileSystemEntries(releases).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(web1.Root, "pwned*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task DeployAsync_ArchiveSource_UploadsOverSftpExtractsAndServesIt()
    {
        var web1 = fleet.NewSite(1)[0];
        var archive = await fleet.ArchiveAsync("v3.0.2");

        var result = await new ReleaseDeployer(_pool).DeployAsync(web1.Target, "v3.0.2", new ArchiveReleaseSource(archive), "run-1", CancellationToken.None);

        Assert.Equal("v3.0.2", result.Release);
        Assert.Equal("3.0.2", await FleetSite.ServedAsync(web1));
        Assert.Equal([".gantry-complete", "VERSION"], Directory.GetFiles(Path.Combine(web1.Root, "releases", "v3.0.2")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(web1.Root, "releases")));
    }

    [Fact]
    public async Task DeployAsync_BuildCommand_RunsInReleaseBeforeSwitch()
    {
        var web1 = fleet.NewSite(1)[0];
        var target = web1.Target with { Layout = web1.Layout with { BuildCommand = "echo \"built $GANTRY_RELEASE\" > BUILT" } };

        await new ReleaseDeployer(_pool).DeployAsync(target, "v3.0.1", Git, "run-1", CancellationToken.None);

        Assert.Equal("built v3.0.1\n", await File.ReadAllTextAsync(Path.Combine(web1.Root, "current", "BUILT")));
    }

    [Fact]
    public async Task DeployAsync_HealthCheckFails_RollsBackToPreviousAndNamesTheCheck()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var deadUrl = $"http://127.0.0.2:{Ssh.SshHostConnectionTests.UnusedPort()}/health";
        var failing = web1.Target with
        {
            Layout = web1.Layout with { HealthCheck = new HttpHealthCheck(deadUrl) { Attempts = 2, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(failing, "v3.0.1", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0, but its health check failed as well "
            + $"(Health check of web1 (127.0.0.2:{fleet.Port}) failed after 2 attempts (100 ms apart): GET {deadUrl} failed: Connection refused ({new Uri(deadUrl).Authority})).\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 2 attempts (100 ms apart): GET {deadUrl} failed: Connection refused ({new Uri(deadUrl).Authority}).",
            ex.Message);
        Assert.Equal((DeployStep.HealthCheck, "v3.0.0"), (ex.Step, ex.LeftOn));
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
        Assert.Equal(
            [$"deploy\tv3.0.0\t-\trun-1\t{await fleet.ShortCommitAsync("v3.0.0")}", $"deploy\tv3.0.1\tv3.0.0\trun-2\t{await fleet.ShortCommitAsync("v3.0.1")}", $"rollback\tv3.0.0\tv3.0.1\trun-2\t{await fleet.ShortCommitAsync("v3.0.0")}"],
            (await File.ReadAllLinesAsync(Path.Combine(web1.Root, "revisions.log"))).Select(l => l[(l.IndexOf('\t') + 1)..]));
    }

    [Fact]
    public async Task DeployAsync_HealthBodyLacksExpectedText_RollsBackAndQuotesTheText()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var healthUrl = web1.Url + "health";
        var onlyOld = web1.Target with
        {
            // The app answers 200 with its version: only the old release contains "3.0.0".
            Layout = web1.Layout with { HealthCheck = new HttpHealthCheck(healthUrl) { ExpectBody = "3.0.0", Attempts = 40, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(onlyOld, "v3.0.1", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 40 attempts (100 ms apart): GET {healthUrl} answered 200 but the body does not contain '3.0.0'.",
            ex.Message);
        Assert.Equal((DeployStep.HealthCheck, "v3.0.0"), (ex.Step, ex.LeftOn));
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_HealthBodyContainsExpectedText_Succeeds()
    {
        var web1 = fleet.NewSite(1)[0];
        var target = web1.Target with
        {
            Layout = web1.Layout with { HealthCheck = new HttpHealthCheck(web1.Url + "health") { ExpectBody = "3.0.2", Attempts = 40, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var result = await new ReleaseDeployer(_pool).DeployAsync(target, "v3.0.2", Git, "run-1", CancellationToken.None);

        Assert.Equal(("v3.0.2", true), (result.Release, result.Changed));
        Assert.Equal("v3.0.2", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.2", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_HealthCommandFails_RollsBackAndNamesTheExitCode()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        const string Check = "grep -q 3.0.0 current/VERSION || { echo \"serves $(cat current/VERSION)\" >&2; exit 3; }";
        var onlyOld = web1.Target with
        {
            Layout = web1.Layout with { HealthCheck = new CommandHealthCheck(Check) { Attempts = 2, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(onlyOld, "v3.0.1", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 2 attempts (100 ms apart): {Check} exited with 3 (serves 3.0.1).",
            ex.Message);
        Assert.Equal((DeployStep.HealthCheck, "v3.0.0"), (ex.Step, ex.LeftOn));
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    /// <summary>
    /// The prune runs in the deploy script beside the health check, so it is done before a failed check's revert:
    /// it must never take the release the revert goes back to, even with the fewest releases kept.
    /// </summary>
    [Fact]
    public async Task DeployAsync_HealthCheckFailsAfterRestart_PruneKeepsThePreviousRelease_AndTheRevertServesIt()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        var keepTwo = web1.Target with { Layout = web1.Layout with { KeepReleases = 2 } };
        await deployer.DeployAsync(keepTwo, "v3.0.1", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(keepTwo, "v3.0.2", Git, "run-2", CancellationToken.None);
        const string Check = "grep -q 3.0.2 current/VERSION";
        var onlyOld = keepTwo with
        {
            Layout = keepTwo.Layout with { HealthCheck = new CommandHealthCheck(Check) { Attempts = 2, Interval = TimeSpan.FromMilliseconds(100) } },
        };

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(onlyOld, "v3.0.3", Git, "run-3", CancellationToken.None));

        Assert.StartsWith($"Deploy of v3.0.3 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.2.\n", ex.Message, StringComparison.Ordinal);
        Assert.Equal((DeployStep.HealthCheck, "v3.0.2", false), (ex.Step, ex.LeftOn, ex.Unsettled));
        Assert.Equal("v3.0.2", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.2", await FleetSite.ServedAsync(web1));
        Assert.True(File.Exists(Path.Combine(web1.Root, "releases", "v3.0.2", ReleaseDeployer.CompleteMarker)));

        // Kept: the revert's release and the failed one (keep_releases counts the new release and the one
        // before it); v3.0.1, beyond that count, was pruned by the deploy that failed, beside its health check.
        Assert.Equal(["v3.0.2", "v3.0.3"], FleetSite.ReleasesOf(web1));
    }

    /// <summary>
    /// A current link that points out of the deploy root (to a system folder, up the tree, or through releases/..)
    /// is refused before anything runs: no fetch, no switch, no restart, no prune, no adoption, and the folder it
    /// points to (here a stand-in for /etc, with a file that looks like a release) is left as it was.
    /// </summary>
    [Theory]
    [InlineData("outside")]
    [InlineData("../../")]
    [InlineData("releases/../../outside")]
    [InlineData("releases/..")]
    public async Task DeployAsync_CurrentLinkPointsOutOfTheRoot_RefusedNamingHostAndLink_NothingTouched(string link)
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool) { AdoptForeign = (_, _) => throw new InvalidOperationException("adopting a hostile current") };
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        var outside = Directory.CreateTempSubdirectory("gantry-outside-").FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "VERSION"), "not a release\n");
        var target = link == "outside" ? outside : link;
        var current = Path.Combine(web1.Root, "current");
        File.Delete(current);
        File.CreateSymbolicLink(current, target);
        var revisions = await File.ReadAllTextAsync(Path.Combine(web1.Root, "revisions.log"));
        try
        {
            var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None));

            var refused = $"{current} -> {target.TrimEnd('/')}";
            Assert.Equal(
                $"Deploy of v3.0.1 to {web1.Target.Host} failed while reading its state; its current link {refused} was refused as unsafe; nothing was changed on the host.\n"
                + $"Refusing to change anything on web1: its current link {refused} does not point to a release folder of the deploy root. "
                + "Point it at a release in the releases folder (or remove it), then try again.",
                ex.Message);
            Assert.Equal(("web1", DeployStep.Inspect), (ex.Host, ex.Step));
            Assert.Equal(target, new FileInfo(current).LinkTarget);
            Assert.Equal(["v3.0.0"], FleetSite.ReleasesOf(web1));
            Assert.Equal(revisions, await File.ReadAllTextAsync(Path.Combine(web1.Root, "revisions.log")));
            Assert.Equal(["VERSION"], Directory.GetFiles(outside).Select(Path.GetFileName));
            Assert.Equal("not a release\n", await File.ReadAllTextAsync(Path.Combine(outside, "VERSION")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task DeployAsync_BuildOutlivesCommandTimeout_FailsBeforeSwitchAndKeepsPrevious()
    {
        var web1 = fleet.NewSite(1)[0];
        using var pool = new SshConnectionPool(fleet.Options(commandTimeout: TimeSpan.FromSeconds(20)));
        var deployer = new ReleaseDeployer(pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        using var shortPool = new SshConnectionPool(fleet.Options(commandTimeout: TimeSpan.FromSeconds(8)));
        var slow = web1.Target with { Layout = web1.Layout with { BuildCommand = "sleep 60" } };

        var ex = await Assert.ThrowsAsync<DeployException>(() => new ReleaseDeployer(shortPool).DeployAsync(slow, "v3.0.1", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while running the build command; the host is still on v3.0.0.\n"
            + $"Command on web1 (127.0.0.2:{fleet.Port}) did not finish within 8 s and was stopped: sleep 60",
            ex.Message);
        Assert.Equal("v3.0.0", FleetSite.CurrentOf(web1));
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task DeployAsync_UnknownTag_FailsFetchingAndKeepsPrevious()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.DeployAsync(web1.Target, "v9.9.9", Git, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Deploy of v9.9.9 to web1 (127.0.0.2:{fleet.Port}) failed while fetching the release; the host is still on v3.0.0.\n"
            + $"Command failed on web1 (127.0.0.2:{fleet.Port}) with exit code 128: git clone --depth 1 --branch 'v9.9.9' '{fleet.OriginUrl}' 'releases/v9.9.9.tmp-{TmpSuffix(ex.Message)}'\n"
            + "stderr (last lines):\n  warning: Could not find remote branch v9.9.9 to clone.\n  fatal: Remote branch v9.9.9 not found in upstream origin",
            ex.Message);
        Assert.Equal(["v3.0.0"], FleetSite.ReleasesOf(web1));
    }

    [Fact]
    public async Task RollbackAsync_NoReleaseNamed_SwitchesToTheOneDeployedBefore()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);

        var result = await deployer.RollbackAsync(web1.Target, null, "run-3", CancellationToken.None);

        Assert.Equal(new RollbackResult("web1", "v3.0.0", "v3.0.1"), result);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
        var state = await deployer.ReadStateAsync(web1.Target, CancellationToken.None);
        Assert.Equal("v3.0.0", state.Current);
        Assert.Equal(["v3.0.1", "v3.0.0"], state.Releases);
        Assert.Equal($"rollback\tv3.0.0\tv3.0.1\trun-3\t{await fleet.ShortCommitAsync("v3.0.0")}", state.RecentRevisions[^1][(state.RecentRevisions[^1].IndexOf('\t') + 1)..]);
    }

    [Fact]
    public async Task RollbackAsync_NamedRelease_SwitchesToIt()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        foreach (var tag in SshFleetFixture.Tags[..3])
        {
            await deployer.DeployAsync(web1.Target, tag, Git, "run-" + tag, CancellationToken.None);
        }

        var result = await deployer.RollbackAsync(web1.Target, "v3.0.0", "run-4", CancellationToken.None);

        Assert.Equal(new RollbackResult("web1", "v3.0.0", "v3.0.2"), result);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task RollbackAsync_ReleaseNotOnHost_ListsWhatIsThere()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);
        await deployer.DeployAsync(web1.Target, "v3.0.1", Git, "run-2", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.RollbackAsync(web1.Target, "v2.9.0", "run-3", CancellationToken.None));

        Assert.Equal(
            $"Cannot roll back web1 (127.0.0.2:{fleet.Port}) to v2.9.0: there is no complete release v2.9.0 in {web1.Root}/releases; "
            + "releases on the host (newest first): v3.0.1 (current), v3.0.0.",
            ex.Message);
        Assert.Equal("3.0.1", await FleetSite.ServedAsync(web1));
    }

    [Fact]
    public async Task RollbackAsync_OnlyOneRelease_SaysThereIsNothingOlder()
    {
        var web1 = fleet.NewSite(1)[0];
        var deployer = new ReleaseDeployer(_pool);
        await deployer.DeployAsync(web1.Target, "v3.0.0", Git, "run-1", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<DeployException>(() => deployer.RollbackAsync(web1.Target, null, "run-2", CancellationToken.None));

        Assert.Equal(
            $"Cannot roll back web1 (127.0.0.2:{fleet.Port}): there is no release older than v3.0.0 in {web1.Root}/releases; releases on the host (newest first): v3.0.0 (current).",
            ex.Message);
    }

    [Fact]
    public async Task DeployAsync_InvalidLayoutAndTag_ReportsEveryProblem()
    {
        var web1 = fleet.NewSite(1)[0];
        var bad = web1.Target with { Layout = web1.Layout with { Root = "srv/app", KeepReleases = 1, RestartCommand = " " } };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => new ReleaseDeployer(_pool).DeployAsync(bad, "../etc", Git, "run-1", CancellationToken.None));

        Assert.Equal(
            "Invalid deploy settings:\n- root 'srv/app' must be an absolute path on the host, e.g. /srv/app.\n"
            + "- keep_releases is 1; it must be at least 2 so that a rollback target remains.\n"
            + "- restart command is empty; give the command that restarts the service.\n"
            + "- release '../etc' must be a plain name (letters, digits, '.', '_', '+', '-'), e.g. v3.0.1.",
            ex.Message);
    }

    private static string TmpSuffix(string message) =>
        System.Text.RegularExpressions.Regex.Match(message, @"\.tmp-([0-9a-f]{8})").Groups[1].Value;
}
