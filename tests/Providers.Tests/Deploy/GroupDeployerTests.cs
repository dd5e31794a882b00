using System.Collections.Concurrent;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Deploy;

[Collection(SshFleetCollection.Name)]
public sealed class GroupDeployerTests(SshFleetFixture fleet)
{
    private GitReleaseSource Git => new(fleet.OriginUrl);

    [Fact]
    public async Task DeployAsync_FourHostsTwoAtATime_EveryHostServesTheTagAndProgressCountsUp()
    {
        var site = fleet.NewSite(4);
        var lines = new ConcurrentQueue<SshOutputLine>();
        var progress = new ConcurrentQueue<GroupDeployProgress>();
        using var pool = new SshConnectionPool(fleet.Options(lines.Enqueue));
        var group = new GroupDeployer(new ReleaseDeployer(pool));

        var result = await group.DeployAsync(site.Targets, "v3.0.1", Git, "run-1", new GroupDeployOptions { MaxParallel = 2, Progress = progress.Enqueue }, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["web1", "web2", "web3", "web4"], result.Hosts.Select(h => h.Host));
        Assert.All(result.Hosts, h => Assert.Equal((HostDeployOutcome.Succeeded, "v3.0.1"), (h.Outcome, h.Current)));
        foreach (var host in site.Hosts)
        {
            Assert.Equal("3.0.1", await FleetSite.ServedAsync(host));
            Assert.Contains(new SshOutputLine(host.Name, SshStream.StandardOutput, $"started app v3.0.1 (pid {(await File.ReadAllTextAsync(Path.Combine(host.Root, "app.pid"))).Trim()}) on {host.Host.Address}:{host.AppPort}"), lines);
        }

        Assert.DoesNotContain(lines, l => l.Line.StartsWith("@gantry", StringComparison.Ordinal));
        Assert.Equal([1, 2, 3, 4], progress.Select(p => p.Done).Order());
        Assert.All(progress, p => Assert.Equal((4, 0), (p.Total, p.Failed)));
    }

    [Fact]
    public async Task DeployAsync_RestartFailsOnOneHost_ThatHostIsBackOnPreviousOthersOnNew()
    {
        var site = fleet.NewSite(3);
        using var pool = new SshConnectionPool(fleet.Options());
        var group = new GroupDeployer(new ReleaseDeployer(pool));
        await group.DeployAsync(site.Targets, "v3.0.0", Git, "run-1", null, CancellationToken.None);
        var web2 = site[1];
        var brokenRestart = $"if grep -q 3.0.1 current/VERSION; then echo 'bind: port 8080 already in use' >&2; exit 3; fi; {web2.Layout.RestartCommand}";
        var targets = site.Targets.Select(t => t.Host.Name == "web2" ? t with { Layout = t.Layout with { RestartCommand = brokenRestart } } : t).ToList();

        var result = await group.DeployAsync(targets, "v3.0.1", Git, "run-2", null, CancellationToken.None);

        Assert.Equal(
            [("web1", HostDeployOutcome.Succeeded, "v3.0.1"), ("web2", HostDeployOutcome.Failed, "v3.0.0"), ("web3", HostDeployOutcome.Succeeded, "v3.0.1")],
            result.Hosts.Select(h => (h.Host, h.Outcome, h.Current)));
        Assert.Equal(
            $"Deploy of v3.0.1 to web2 (127.0.0.3:{fleet.Port}) failed while restarting; rolled back to v3.0.0.\n"
            + $"Command failed on web2 (127.0.0.3:{fleet.Port}) with exit code 3: {brokenRestart}\n"
            + "stderr (last lines):\n  bind: port 8080 already in use",
            result.Hosts[1].Error!.Message);
        Assert.Equal(["3.0.1", "3.0.0", "3.0.1"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));
    }

    [Fact]
    public async Task DeployAsync_OneHostRefusesConnections_OthersAreDeployed()
    {
        var site = fleet.NewSite(2);
        var port = Ssh.SshHostConnectionTests.UnusedPort();
        var targets = new[] { site[0].Target with { Host = site[0].Host with { Port = port } }, site[1].Target };
        using var pool = new SshConnectionPool(fleet.Options());

        var result = await new GroupDeployer(new ReleaseDeployer(pool)).DeployAsync(targets, "v3.0.1", Git, "run-1", null, CancellationToken.None);

        Assert.Equal([HostDeployOutcome.Failed, HostDeployOutcome.Succeeded], result.Hosts.Select(h => h.Outcome));
        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{port}) failed while connecting; nothing was changed on the host.\n"
            + $"Cannot connect to web1 (127.0.0.2:{port}): connection refused. Is sshd running and listening on port {port}?",
            result.Hosts[0].Error!.Message);
        Assert.Equal("3.0.1", await FleetSite.ServedAsync(site[1]));
    }

    [Fact]
    public async Task DeployAsync_CancelledMidDeploy_EveryHostKeepsAWorkingCurrent()
    {
        var site = fleet.NewSite(4);
        using var cancel = new CancellationTokenSource();
        using var pool = new SshConnectionPool(fleet.Options(line =>
        {
            if (line.Line == "restarting")
            {
                cancel.Cancel();
            }
        }));
        var group = new GroupDeployer(new ReleaseDeployer(pool));
        await group.DeployAsync(site.Targets, "v3.0.0", Git, "run-1", null, CancellationToken.None);
        var targets = site.Targets.Select(t => t with
        {
            Layout = t.Layout with { BuildCommand = "sleep 1", RestartCommand = "echo restarting; " + t.Layout.RestartCommand },
        }).ToList();

        var ex = await Assert.ThrowsAsync<GroupDeployCanceledException>(() => group.DeployAsync(targets, "v3.0.1", Git, "run-2", new GroupDeployOptions { MaxParallel = 3 }, cancel.Token));

        Assert.Equal(HostDeployOutcome.NotStarted, ex.Result.Hosts[3].Outcome);
        Assert.Contains(ex.Result.Hosts, h => h.Outcome == HostDeployOutcome.Cancelled && h.Error!.Message.EndsWith("; rolled back to v3.0.0.", StringComparison.Ordinal));
        foreach (var host in site.Hosts)
        {
            var current = FleetSite.CurrentOf(host);
            Assert.Equal("v3.0.0", current);
            Assert.True(File.Exists(Path.Combine(host.Root, "releases", current!, ".gantry-complete")));
            Assert.Equal("3.0.0", await FleetSite.ServedAsync(host));
        }
    }
}
