using System.Diagnostics;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Providers.Tests.LoadBalancers.HAProxy;

[Collection(HAProxyCollection.Name)]
public sealed class HAProxyDriverTests(HAProxyTestSite haproxy) : IAsyncLifetime
{
    private static readonly LoadBalancerTimings Fast = new()
    {
        DrainTimeout = TimeSpan.FromSeconds(10),
        HealthTimeout = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public Task InitializeAsync() => haproxy.ResetAsync();

    public Task DisposeAsync()
    {
        _http.Dispose();
        return Task.CompletedTask;
    }

    private HAProxyDriver Driver(string backend = "web", TimeProvider? time = null) =>
        new(new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress), backend, time);

    [Fact]
    public async Task ReadServers_AllUp_ReadyUpWithLastCheck()
    {
        var servers = await Driver().ReadServersAsync(default);

        Assert.Equal(["web1", "web2", "web3", "web4"], servers.Select(s => s.Name));
        Assert.All(servers, s =>
        {
            Assert.Equal((AdminState.Ready, HealthState.Up, 0, (int?)1), (s.Admin, s.Health, s.CurrentSessions, s.Weight));
            Assert.StartsWith("L7OK", s.LastCheck, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ReadServers_WrongBackendName_ThrowsWithHAProxyWords()
    {
        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Driver("api").ReadServersAsync(default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.AdminAddress} rejected \"show stat api 4 -1\" (backend api): No such proxy.", error.Message);
    }

    [Fact]
    public async Task TakeOut_SlowRequestInFlight_MaintOnlyAfterItCompletes()
    {
        var slow = await StartSlowRequestOnWeb1Async(TimeSpan.FromMilliseconds(1500));
        var progress = new ListProgress();

        await Driver().TakeOutAsync(["web1"], Fast, progress, default);
        var takenOutAt = Stopwatch.GetTimestamp();

        var (body, finishedAt) = await slow;
        Assert.Equal("web1", body);
        Assert.True(finishedAt <= takenOutAt, "web1 went to maintenance before its in-flight request finished");
        Assert.Equal("MAINT", (await haproxy.Proxy.StatusesAsync())["web1"]);
        Assert.Equal(["web/web1: drain", "waiting for sessions to finish on web/web1 (1 session)", "web/web1: maint"], progress.Lines);
    }

    [Fact]
    public async Task TakeOut_DrainTimeoutPasses_ThrowsNamingServerAndSessionsLeft()
    {
        var slow = await StartSlowRequestOnWeb1Async(TimeSpan.FromMilliseconds(1500));

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() =>
            Driver().TakeOutAsync(["web1"], Fast with { DrainTimeout = TimeSpan.FromMilliseconds(200) }, null, default));

        Assert.Equal("drain of web/web1 (1 session) did not finish within the drain timeout of 200ms; left in drain because ForceAfterDrainTimeout is off", error.Message);
        Assert.Equal("DRAIN", (await haproxy.Proxy.StatusesAsync())["web1"]);
        Assert.Equal("web1", (await slow).Body);
    }

    [Fact]
    public async Task TakeOut_DrainTimeoutPassesWithForce_MaintWhileRequestStillCompletes()
    {
        var slow = await StartSlowRequestOnWeb1Async(TimeSpan.FromMilliseconds(1500));
        var progress = new ListProgress();

        await Driver().TakeOutAsync(["web1"], Fast with { DrainTimeout = TimeSpan.FromMilliseconds(200), ForceAfterDrainTimeout = true }, progress, default);

        Assert.Equal("MAINT", (await haproxy.Proxy.StatusesAsync())["web1"]);
        Assert.Contains("drain timeout of 200ms passed with sessions left on web/web1 (1 session); forcing maintenance", progress.Lines);
        Assert.Equal("web1", (await slow).Body);
    }

    [Fact]
    public async Task TakeOut_AlreadyInMaint_NothingSent()
    {
        await haproxy.Proxy.CommandAsync("set server web/web2 state maint");
        var progress = new ListProgress();

        await Driver().TakeOutAsync(["web2"], Fast, progress, default);

        Assert.Empty(progress.Lines);
        Assert.Equal("MAINT", (await haproxy.Proxy.StatusesAsync())["web2"]);
    }

    [Fact]
    public async Task BringLive_FromMaint_WaitsUntilHealthCheckReportsUp()
    {
        await haproxy.Proxy.CommandAsync("set server web/web3 state maint");
        var progress = new ListProgress();

        await Driver().BringLiveAsync(["web3"], Fast, progress, default);

        Assert.Equal("UP", (await haproxy.Proxy.StatusesAsync())["web3"]);
        Assert.Equal(["web/web3: drain until a fresh health check passes", "web/web3: ready", "web/web3: up"], progress.Lines);
    }

    [Fact]
    public async Task BringLive_FromDrain_ReadyWithoutRecheck()
    {
        await haproxy.Proxy.CommandAsync("set server web/web2 state drain");
        var progress = new ListProgress();

        await Driver().BringLiveAsync(["web2"], Fast, progress, default);

        Assert.Equal("UP", (await haproxy.Proxy.StatusesAsync())["web2"]);
        Assert.Equal(["web/web2: ready", "web/web2: up"], progress.Lines);
    }

    [Fact]
    public async Task BringLive_BackendStopped_FailsAfterHealthTimeoutOnFakeClock()
    {
        await haproxy.Proxy.CommandAsync("set server web/web4 state maint");
        haproxy.Backend("web4").Stop();
        var time = new FakeTimeProvider();
        var timings = Fast with { HealthTimeout = TimeSpan.FromSeconds(30), PollInterval = TimeSpan.FromSeconds(1) };

        var bringLive = Driver(time: time).BringLiveAsync(["web4"], timings, null, default);
        // 30 s of fake time pass in a few real seconds (one per poll); real time lets HAProxy's 100 ms checks run.
        await Eventually.TrueAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return bringLive.IsCompleted;
            },
            "bring-live gives up after its health timeout",
            every: TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => bringLive);
        Assert.Equal("web/web4 did not come up within the health timeout of 30s: web/web4 last check L4CON (Connection refused)", error.Message);
        // Never put back into rotation: it stays drained, and down.
        Assert.Equal("DOWN", (await haproxy.Proxy.StatusesAsync())["web4"]);
        Assert.Equal(AdminState.Drain, (await Driver().ReadServersAsync(default)).Single(s => s.Name == "web4").Admin);
    }

    /// <summary>Sends a slow request that only web1 can take, and returns once web1 holds it.</summary>
    private async Task<Task<(string Body, long FinishedAt)>> StartSlowRequestOnWeb1Async(TimeSpan duration)
    {
        foreach (var other in new[] { "web2", "web3", "web4" })
        {
            await haproxy.Proxy.CommandAsync($"set server web/{other} state maint");
        }

        var request = Task.Run(async () =>
        {
            var body = await _http.GetStringAsync(new Uri(haproxy.Proxy.FrontendUri, $"/slow?ms={(int)duration.TotalMilliseconds}"));
            return (body, Stopwatch.GetTimestamp());
        });
        await Eventually.TrueAsync(
            async () => (await haproxy.Proxy.StatAsync("scur"))["web1"] != "0",
            "the slow request reaches web1",
            TimeSpan.FromSeconds(5),
            every: TimeSpan.FromMilliseconds(20));

        return request;
    }
}
