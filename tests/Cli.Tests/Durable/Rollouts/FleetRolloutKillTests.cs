using Gantry.Testing.Fleet;
using Xunit.Abstractions;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// The kill test of issue #17 on the real fleet: rolling-deploy against OpenSSH hosts behind a real HAProxy, with
/// <c>gantry serve</c> and a <c>gantry worker</c> on one SQLite store and the runs started by CLI processes, while a
/// seeded RNG SIGKILLs them at random moments (the seed is printed; GANTRY_KILL_SEED replays one). HAProxy itself is
/// read every 20 ms over its admin socket (<c>show servers state</c>) for the whole test.
/// </summary>
public sealed class FleetRolloutKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServeAndWorkerBehindRealHAProxy_RandomKills_EveryRunOnceAndTheSiteNeverDown()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());
        await using var workspace = await DurableWorkspace.OpenAsync(fleet.WorkspaceDirectory);

        await RolloutKillRun.RunAsync(workspace, new RealFleetTarget(fleet), () => HAProxyServersState.Start(fleet, minLiveGroups: 1), ["serve", "worker-a"], 3, output);
    }
}

/// <summary>The real fleet: each run publishes the next release (v3.0.1, v3.0.2, …) and rolls it out with rolling-deploy.</summary>
internal sealed class RealFleetTarget(RealFleet fleet) : IRolloutTarget
{
    private string _version = "3.0.0";

    public string Environment => fleet.EnvironmentId;

    public string WorkflowOf(int run) => "rolling-deploy";

    public Task BeforeRunAsync(int run)
    {
        _version = $"3.0.{run + 1}";
        return fleet.PublishReleaseAsync(_version);
    }

    /// <summary>Each host's current link on v{version}, and its app (asked directly, not through HAProxy) serving that version.</summary>
    public async Task AssertEveryHostOnTargetAsync(string context)
    {
        var served = await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h)));
        var hosts = fleet.Hosts.Select((h, i) => (h.Name, Current: fleet.CurrentReleaseOf(h), Served: served[i])).ToList();
        Assert.True(
            hosts.All(h => h.Current == "v" + _version && h.Served == _version),
            $"every host should be on v{_version}; they are on: {string.Join(", ", hosts.Select(h => $"{h.Name} {h.Current} (serving {h.Served})"))} ({context})\n{await fleet.DescribeAsync()}");
    }
}
