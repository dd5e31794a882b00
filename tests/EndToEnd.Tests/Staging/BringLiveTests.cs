using Gantry.EndToEnd.Tests.Rollback;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Staging;

/// <summary>
/// Bringing a deployed group live on real HAProxy without waiting for HAProxy's checks after Gantry's
/// own: only when Gantry's check of every server passes right before; otherwise a fresh HAProxy check decides.
/// </summary>
public sealed class BringLiveTests
{
    [Fact]
    public async Task Flip_HostKilledAfterItsRestartBeforeBringLive_NeverReceivesTrafficAndTheFlipFails()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { HealthTimeout = TimeSpan.FromSeconds(3) });
        await fleet.PublishReleaseAsync("3.0.1");
        var killed = fleet.Hosts.Single(h => h.Name == "web1");
        var pidFile = Path.Combine(killed.DeployRoot, "app.pid");
        await File.WriteAllTextAsync(Path.Combine(fleet.WorkspaceDirectory, "workflows", "kill-before-bring-live.yaml"), $$"""
            id: kill-before-bring-live
            name: Deploy group1, its web1 dies, then flip
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - id: deploy_out
                uses: deploy.release
                with: { target: out, tag: v3.0.1 }
              - id: kill
                uses: shell.local
                with:
                  command: [sh, -c, 'p=$(cat "{{pidFile}}"); kill "$p"; for i in $(seq 250); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.02; done; exit 1']
              - id: flip
                uses: lb.flip

            """);
        await using var engine = new FleetEngine(fleet);

        await using var load = fleet.StartLoad();
        await using var sampler = HAProxySampler.Start(fleet);
        var run = await engine.RunAsync("kill-before-bring-live", []);
        var samples = await sampler.StopAsync();
        var traffic = await load.StopAsync();

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith("step flip (steps[3]) failed: ", run.Message, StringComparison.Ordinal);
        Assert.Contains("web/web1 did not come up within the health timeout of 3s", run.Message, StringComparison.Ordinal);
        var journal = await engine.Engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        Assert.Contains(StagingTests.Logs(journal, "flip"), l => l.StartsWith("web/web1: GET http://127.0.0.2:", StringComparison.Ordinal) && l.EndsWith("; waiting for fresh HAProxy health checks instead", StringComparison.Ordinal));

        // From the last sample before the run's flip to the end, web1 took no session and was never UP.
        var afterKill = samples.SkipWhile(s => s["web1"].Status != "MAINT").ToList();
        Assert.NotEmpty(afterKill);
        Assert.All(afterKill, s => Assert.NotEqual("UP", s["web1"].Status));
        Assert.Equal(afterKill[0]["web1"].Sessions, afterKill[^1]["web1"].Sessions);
        Assert.Equal([], traffic.Failures);
    }
}
