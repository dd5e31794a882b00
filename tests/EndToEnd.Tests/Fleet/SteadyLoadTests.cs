using System.Diagnostics;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Fleet;

/// <summary>The issue's load (<see cref="SteadyLoad"/>) and the app's one-second route, on the real fleet.</summary>
public sealed class SteadyLoadTests
{
    [Fact]
    public async Task StartSteadyLoad_NothingRestarts_EveryTwentiethRequestSlowAndNoneFails()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());

        await using var load = fleet.StartSteadyLoad();
        await Eventually.TrueAsync(() => load.Sent >= 100, "the steady load starts 100 requests");
        var result = await load.StopAsync();

        Assert.Equal([], result.Failures);
        Assert.Equal(result.Sent / 20, load.SlowSent);
    }

    [Fact]
    public async Task Slow_AskedOfAHost_AnswersItsVersionAfterOneSecond()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { Groups = 1, HostsPerGroup = 1 });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var clock = Stopwatch.StartNew();
        var body = await client.GetStringAsync(new Uri(fleet.Hosts[0].Url, "/slow"));

        Assert.Equal("3.0.0", body.Trim());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"/slow answered after {clock.Elapsed}, expected at least 1 s");
    }

    [Fact]
    public async Task StartSteadyLoad_AppRestartedWithoutDrain_CutAndRefusedRequestsCountAsFailed()
    {
        // One host and only slow requests: whatever was in flight when the app is stopped is cut.
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { Groups = 1, HostsPerGroup = 1, SteadyLoadRate = 20, SlowRequestEvery = 1 });
        await using var load = fleet.StartSteadyLoad();
        await Eventually.TrueAsync(() => load.Sent >= 20, "the steady load starts 20 slow requests");

        await FleetCommand.RunAsync("sh", ["-c", fleet.RestartCommand(fleet.Hosts[0])]);
        await fleet.ServedVersionAsync(fleet.Hosts[0]);
        var result = await load.StopAsync();

        Assert.NotEmpty(result.Failures);
        Assert.Equal(result.Failed, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Matches(@"^\d+\.\d{3}s /slow: ", f));
        Assert.Equal(result.Sent, load.SlowSent);
    }
}
