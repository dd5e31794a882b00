using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Server;
using Gantry.Testing.Fleet;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>
/// The other side of the zero-failure checks: the same fleet, the same load loop, but rollouts that
/// do not drain, or that fail half-way.
/// </summary>
public sealed class UnsafeRolloutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    /// <summary>Every host at once, load balancer untouched: what the load check must catch.</summary>
    private const string NaiveRollout = """
        id: naive-rollout
        name: Deploy the latest stable tag to every host at once, without the load balancer
        steps:
          - id: tag
            uses: git.latest-tag
            with: { ref: stable }
          - uses: deploy.release
            with: { hosts: [web1, web2, web3, web4], tag: "{{ steps.tag.outputs.tag }}", allow_live: true }

        """;

    [Fact]
    public async Task NaiveRollout_RestartsEveryHostWithoutDraining_LoadLoopSeesFailedRequests()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        await File.WriteAllTextAsync(Path.Combine(fleet.WorkspaceDirectory, "workflows", "naive-rollout.yaml"), NaiveRollout);
        await using var server = await GantryServerProcess.StartAsync(fleet.WorkspaceDirectory);
        using var api = new GantryApi(server);

        await using var load = fleet.StartLoad();
        var runId = await api.StartRunAsync("naive-rollout", fleet.EnvironmentId, new { });
        var run = await api.WaitForStatusAsync(runId, RunTimeout, fleet.DescribeAsync, "succeeded", "failed", "cancelled");
        var traffic = await load.StopAsync();
        output.WriteLine($"{traffic.Sent} requests, {traffic.Failed} failed:\n{string.Join('\n', traffic.Failures.Take(20))}");

        Assert.True(GantryApi.Status(run) == "succeeded", $"{GantryApi.Message(run)}\n{GantryApi.Describe(run)}");
        Assert.Equal(fleet.Hosts.Select(_ => "3.0.1"), await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.True(traffic.Failed > 0, $"a rollout that restarts every host without draining lost no request out of {traffic.Sent}: the load check cannot see failures");
        Assert.All(traffic.Failures, f => Assert.Matches(@"^\d+\.\d{3}s: (502 Bad Gateway|503 Service Unavailable)$", f));
    }

    [Fact]
    public async Task RollingDeploy_RestartFailsOnOneHostOfSecondGroup_FailsNamingItRollsItBackAndRestoresTheLoadBalancer()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await fleet.PublishReleaseAsync("3.0.1");
        var broken = fleet.Hosts.Single(h => h.Name == "web4");
        fleet.FailRestart(broken, "v3.0.1");
        await using var server = await GantryServerProcess.StartAsync(fleet.WorkspaceDirectory);
        using var api = new GantryApi(server);

        await using var load = fleet.StartLoad();
        var runId = await api.StartRunAsync("rolling-deploy", fleet.EnvironmentId, new { @ref = "stable" });
        var run = await api.WaitForStatusAsync(runId, RunTimeout, fleet.DescribeAsync, "succeeded", "failed", "cancelled");
        var traffic = await load.StopAsync();
        output.WriteLine($"{traffic.Sent} requests, {traffic.Failed} failed");
        output.WriteLine(GantryApi.Describe(run));

        Assert.True(GantryApi.Status(run) == "failed", $"{GantryApi.Message(run)}\n{GantryApi.Describe(run)}");
        Assert.Equal(
            $"step deploy_out_2 (steps[6]) failed: deploy of v3.0.1 to group2 failed on web4: Deploy of v3.0.1 to web4 (127.0.0.5:{fleet.SshPort}) failed while restarting; rolled back to v3.0.0.\n"
            + $"Command failed on web4 (127.0.0.5:{fleet.SshPort}) with exit code 1: {fleet.RestartCommand(broken)}\n"
            + "stderr (last lines):\n  app failed to start: release v3.0.1 is broken on this host. Left on the new release: web3 on v3.0.1. To roll back: gantry rollback --env e2e",
            GantryApi.Message(run));
        Assert.Equal([], traffic.Failures);
        Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(broken));
        Assert.Equal(["3.0.1", "3.0.1", "3.0.1", "3.0.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
        Assert.Contains(GantryApi.Journal(run), e => e.GetProperty("type").GetString() == "step.succeeded" && e.TryGetProperty("activity", out var a) && a.GetString() == "lb.restore");
    }
}
