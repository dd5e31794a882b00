using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.LoadBalancers.HAProxy;

/// <summary>Every controller action against a real HAProxy: group1 = web1, web2; group2 = web3, web4.</summary>
[Collection(HAProxyCollection.Name)]
public sealed class LoadBalancerControllerHAProxyTests(HAProxyTestSite haproxy) : IAsyncLifetime
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Groups = new()
    {
        ["group1"] = ["web1", "web2"],
        ["group2"] = ["web3", "web4"],
    };

    private static readonly LoadBalancerTimings Fast = new()
    {
        DrainTimeout = TimeSpan.FromSeconds(10),
        HealthTimeout = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    public Task InitializeAsync() => haproxy.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private LoadBalancerController Controller() =>
        new(HAProxyLoadBalancer.CreateDriver(haproxy.Proxy.AdminAddress, "web"), Groups, minLiveGroups: 1, Fast);

    private async Task<string> RawAsync()
    {
        var statuses = await haproxy.Proxy.StatusesAsync();
        return string.Join(" ", statuses.Select(s => $"{s.Key}={s.Value}"));
    }

    private static string States(LoadBalancerStatus status) =>
        string.Join(" ", status.Groups.Select(g => $"{g.Name}={g.State}"));

    [Fact]
    public async Task GetStatus_AllUp_BothGroupsLiveWithServers()
    {
        var status = await Controller().GetStatusAsync();

        Assert.Equal("group1=Live group2=Live", States(status));
        Assert.Equal(["web3", "web4"], status["group2"].Servers.Select(s => s.Name));
    }

    [Fact]
    public async Task SetLive_Group2_Group1DrainedToMaint()
    {
        var progress = new ListProgress();

        var status = await Controller().SetLiveAsync(["group2"], progress);

        Assert.Equal("group1=Out group2=Live", States(status));
        Assert.Equal("web1=MAINT web2=MAINT web3=UP web4=UP", await RawAsync());
        Assert.Equal(
            ["lb.live [group2]: taking out web1, web2", "web/web1: drain", "web/web2: drain", "web/web1: maint", "web/web2: maint"],
            progress.Lines);
    }

    [Fact]
    public async Task Flip_ReRunAfterItFlipped_KeepsTheRecordedGroupLiveAndNeverFlipsBack()
    {
        var controller = Controller();
        await controller.SetLiveAsync(["group2"]);
        FlipIntent? recorded = null;
        await controller.FlipAsync(null, (intent, _) =>
        {
            recorded = intent;
            return Task.CompletedTask;
        });
        Assert.Equal("web1=UP web2=UP web3=MAINT web4=MAINT", await RawAsync());

        // The step's process died after the flip and before journaling step.succeeded: it runs again.
        var progress = new ListProgress();
        var status = await Controller().FlipAsync(recorded, (_, _) => throw new InvalidOperationException("a re-run must not decide again"), progress);

        Assert.Equal(new FlipIntent("group1", "group2"), recorded);
        Assert.Equal("group1=Live group2=Out", States(status));
        Assert.Equal("web1=UP web2=UP web3=MAINT web4=MAINT", await RawAsync());
        Assert.Equal(["lb.flip: going on with the recorded intent, group1 live and group2 out"], progress.Lines);
    }

    [Fact]
    public async Task Flip_Group2Live_Group1LiveAndGroup2Out()
    {
        var controller = Controller();
        await controller.SetLiveAsync(["group2"]);
        var progress = new ListProgress();

        var status = await controller.FlipAsync(progress);

        Assert.Equal("group1=Live group2=Out", States(status));
        Assert.Equal("web1=UP web2=UP web3=MAINT web4=MAINT", await RawAsync());
        Assert.Equal("lb.flip: bringing live web1, web2", progress.Lines[0]);
        Assert.True(
            progress.Lines.ToList().IndexOf("web/web1, web/web2: up") < progress.Lines.ToList().IndexOf("lb.flip: taking out web3, web4"),
            "group2 was taken out before group1 was up: " + string.Join(" | ", progress.Lines));
    }

    [Fact]
    public async Task Flip_BothLive_RefusedNamingStates()
    {
        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().FlipAsync());

        Assert.Equal("lb.flip needs exactly one live and one out group, found: group1 is live, group2 is live", error.Message);
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task All_Group1Out_BothLive()
    {
        var controller = Controller();
        await controller.SetLiveAsync(["group2"]);

        var status = await controller.AllAsync();

        Assert.Equal("group1=Live group2=Live", States(status));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task Restore_OtherGroupDiedInMaintenance_HealthyGroupLiveAndFailureNamed()
    {
        var controller = new LoadBalancerController(
            HAProxyLoadBalancer.CreateDriver(haproxy.Proxy.AdminAddress, "web"), Groups, minLiveGroups: 0, Fast with { HealthTimeout = TimeSpan.FromSeconds(1) });
        await controller.SetLiveAsync(["group2"]);
        await controller.DrainHostAsync("web3");
        haproxy.Backend("web1").Stop();

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => controller.RestoreAsync());

        // group1's maintenance hid web1's death; the fresh check found it, and group1 stayed out of rotation.
        Assert.Equal(
            "lb.restore could not bring live group1: web/web1 did not come up within the health timeout of 1s: web/web1 last check L4CON (Connection refused). " +
            "Now: group1 is out (web1 drain/down, web2 drain), group2 is live",
            error.Message);
        Assert.Equal("web1=DOWN web2=DRAIN web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task DrainHostThenReadyHost_Web1_GroupInconsistentThenLive()
    {
        var controller = Controller();

        var drained = await controller.DrainHostAsync("web1");
        Assert.Equal("group1=Inconsistent group2=Live", States(drained));
        Assert.Equal("web1=MAINT web2=UP web3=UP web4=UP", await RawAsync());

        var readied = await controller.ReadyHostAsync("web1");
        Assert.Equal("group1=Live group2=Live", States(readied));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task GetStatus_ChangeBehindOurBack_GroupInconsistent()
    {
        Assert.Equal("\n", await haproxy.Proxy.CommandAsync("set server web/web3 state drain"));

        var status = await Controller().GetStatusAsync();

        Assert.Equal("group1=Live group2=Inconsistent", States(status));
        Assert.Equal(AdminState.Drain, status["group2"].Servers[0].Admin);
    }

    [Fact]
    public async Task DrainHost_OtherGroupDrainedBehindOurBack_RefusedAndNothingChanged()
    {
        await haproxy.Proxy.CommandAsync("set server web/web1 state drain");

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().DrainHostAsync("web3"));

        Assert.Equal(
            "refused: lb.drain web3 would leave 0 live groups (min_live_groups is 1): group1 is inconsistent (web1 drain), group2 would be inconsistent (web3 maint)",
            error.Message);
        Assert.Equal("web1=DRAIN web2=UP web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task SetLive_WantedGroupHasDeadServer_RefusedAndNothingChanged()
    {
        haproxy.Backend("web1").Stop();
        await WaitForRawAsync("web1=DOWN web2=UP web3=UP web4=UP");

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => Controller().SetLiveAsync(["group1"]));

        Assert.Equal(
            "refused: lb.live [group1] would leave 0 live groups (min_live_groups is 1): group1 would be inconsistent (web1 down), group2 would be out",
            error.Message);
        Assert.Equal("web1=DOWN web2=UP web3=UP web4=UP", await RawAsync());
    }

    [Fact]
    public async Task SetLiveAndAll_ClientLoopRunning_ZeroFailedRequests()
    {
        var controller = Controller();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var served = 0;

        // Two clients in a bounded loop; HAProxy's "retries 3" + "option redispatch" cover a connect that races a state change.
        var clients = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync(haproxy.Proxy.FrontendUri);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref served);
                    }
                    else
                    {
                        lock (failures)
                        {
                            failures.Add($"HTTP {(int)response.StatusCode}");
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        })).ToList();

        await controller.SetLiveAsync(["group2"]);
        await controller.FlipAsync();
        await controller.AllAsync();
        // Traffic goes on after the last change: 50 more answers, or any failure, before the clients stop.
        var servedAtLastChange = Volatile.Read(ref served);
        await Eventually.TrueAsync(
            () => Volatile.Read(ref served) >= servedAtLastChange + 50 || failures.Count > 0,
            "50 more requests are served after the last change");

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(failures.Count == 0, $"{failures.Count} of {served + failures.Count} failed: {string.Join(" | ", failures.Distinct())}");
        Assert.True(served > 50, $"only {served} requests were served");
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", await RawAsync());
    }

    private async Task WaitForRawAsync(string expected)
    {
        await Eventually.TrueAsync(async () => await RawAsync() == expected, $"haproxy reports {expected}", TimeSpan.FromSeconds(5), every: TimeSpan.FromMilliseconds(50));
    }
}
