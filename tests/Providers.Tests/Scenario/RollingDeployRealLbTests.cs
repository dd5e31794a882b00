using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Tests.Fixtures;
using Xunit.Abstractions;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>
/// The repository's unchanged rolling-deploy against a real HAProxy and a real nginx, through the
/// engine: hosts are simulated (sandbox deploys), every load-balancer action is real.
/// </summary>
[Collection(HAProxyCollection.Name)]
public sealed class RollingDeployRealLbTests(HAProxyTestSite haproxy, ITestOutputHelper output)
{
    private const string Fleet = """
        repository: { url: sandbox }
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3, web4] }
        deploy:
          source: sandbox
          root: /srv/opensky
          restart: sudo systemctl restart opensky
          # Where the app answers: vars.upstream (the backend nginx proxies to) when set. nginx asks it
          # before bringing a host live; the sandbox only simulates deploys.
          health: { url: "http://{{ host.vars.upstream ?? (host.address + ':8080') }}/health" }
        vars: { sandbox_initial_release: v2.9.0 }
        """;

    [Fact]
    public async Task RollingDeploy_RealHAProxy_SucceedsEveryGroupLiveAndNoFailedRequest()
    {
        await haproxy.ResetAsync();
        var environment = $$"""
            id: real-haproxy
            load_balancer: { provider: haproxy, address: "{{haproxy.Proxy.AdminAddress}}", backend: {{FleetHAProxy.Backend}}, min_live_groups: 1, drain_timeout: 10s, health_timeout: 10s }
            hosts:
              web1: { address: 127.0.0.11 }
              web2: { address: 127.0.0.12 }
              web3: { address: 127.0.0.13 }
              web4: { address: 127.0.0.14 }
            {{Fleet}}
            """;

        using var harness = new SandboxHarness();
        using var stop = new CancellationTokenSource();
        var client = RequestLoop.RunAsync(haproxy.Proxy.FrontendUri, stop.Token);
        var (status, deployedGroups, finalLive) = await RunAsync(harness, environment);
        await stop.CancelAsync();
        var (sent, failed) = await client;
        output.WriteLine($"client loop during the run: {sent} requests, {failed} failed");

        Assert.Equal(RunStatus.Succeeded, status);
        Assert.Equal(["all", "group1", "group2"], deployedGroups); // staged on every host first
        Assert.Equal(["group1", "group2"], finalLive);
        Assert.Equal(
            "web1=UP, web2=UP, web3=UP, web4=UP",
            string.Join(", ", (await haproxy.Proxy.StatusesAsync()).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}")));
        Assert.True(sent > 0, "the client loop sent no request during the run");
        Assert.Equal(0, failed);
    }

    [Fact]
    public async Task RollingDeploy_RealNginx_SucceedsEveryGroupLiveAfterReloads()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var hosts = string.Join("\n", nginx.Backends.Select((b, i) => $"  {b.Name}: {{ address: 127.0.0.{11 + i}, vars: {{ upstream: \"{b.Address}\" }} }}"));
        var environment = $$"""
            id: real-nginx
            load_balancer: { provider: nginx, backend: {{NginxFixture.UpstreamName}}, config_file: "{{nginx.UpstreamConfigPath}}", main_config: "{{nginx.MainConfigPath}}", settle_delay: 100ms, min_live_groups: 1 }
            hosts:
            {{hosts}}
            {{Fleet}}
            """;

        using var harness = new SandboxHarness();
        var (status, deployedGroups, finalLive) = await RunAsync(harness, environment);

        Assert.Equal(RunStatus.Succeeded, status);
        Assert.Equal(["all", "group1", "group2"], deployedGroups); // staged on every host first
        Assert.Equal(["group1", "group2"], finalLive);
        Assert.DoesNotContain("down", await File.ReadAllTextAsync(nginx.UpstreamConfigPath), StringComparison.Ordinal);
        // The rollout takes groups out and back at least 4 times, one reload each. `nginx -s reload`
        // returns once the signal is sent; the master logs it when it handles it, which on a loaded
        // machine can be after the run has ended, so wait for the log rather than read it once.
        await nginx.WaitForReloadsAsync(4);
        // nginx -s reload only signals the master: old workers keep the previous upstream for a moment.
        var served = new List<string>();
        await Eventually.TrueAsync(
            async () => (served = (await nginx.SendAsync(8)).Keys.Order(StringComparer.Ordinal).ToList()).Count == 4,
            () => Task.FromResult($"8 requests reach all four backends; the last 8 reached {string.Join(", ", served)}"),
            every: TimeSpan.FromMilliseconds(200));

        Assert.Equal(["web1", "web2", "web3", "web4"], served);
    }

    [Fact]
    public async Task RollingDeploy_RealNginxWithConfiguredCommands_TestsAndReloadsThroughThem()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var hosts = string.Join("\n", nginx.Backends.Select((b, i) => $"  {b.Name}: {{ address: 127.0.0.{11 + i}, vars: {{ upstream: \"{b.Address}\" }} }}"));
        using var harness = new SandboxHarness();
        var calls = Path.Combine(harness.DataDirectory, "commands.log");
        string Wrapper(string name, string command) => $"[sh, -c, \"echo {name} >> '{calls}' && exec {command} -c '{nginx.MainConfigPath}'\"]";
        var environment = $$"""
            id: real-nginx-commands
            load_balancer:
              provider: nginx
              backend: {{NginxFixture.UpstreamName}}
              config_file: "{{nginx.UpstreamConfigPath}}"
              settle_delay: 100ms
              test_command: {{Wrapper("test", "nginx -t")}}
              reload_command: {{Wrapper("reload", "nginx -s reload")}}
            hosts:
            {{hosts}}
            {{Fleet}}
            """;

        var (status, _, finalLive) = await RunAsync(harness, environment);

        Assert.Equal(RunStatus.Succeeded, status);
        Assert.Equal(["group1", "group2"], finalLive);
        var lines = await File.ReadAllLinesAsync(calls);
        Assert.True(lines.Count(l => l == "reload") >= 4, $"expected at least 4 reloads through the configured command, got: {string.Join(", ", lines)}");
        Assert.Equal(lines.Count(l => l == "reload"), lines.Count(l => l == "test"));
        await nginx.WaitForReloadsAsync(4);
    }

    private static async Task<(RunStatus Status, List<object?> DeployedGroups, IReadOnlyList<string> FinalLive)> RunAsync(SandboxHarness harness, string environmentText)
    {
        var environment = DocumentLoader.LoadEnvironment(environmentText, Path.Combine(harness.DataDirectory, "env.yaml")).GetOrThrow();
        var library = harness.Catalog.LoadWorkflows();
        var run = await harness.Engine.StartAsync(new StartRunRequest
        {
            Workflow = library["rolling-deploy"],
            Library = library,
            Environment = environment,
            EnvironmentText = environmentText,
        }, CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        Assert.True(finished.Status == RunStatus.Succeeded, $"run {finished.Status}: {finished.Message}");
        var deployed = (await harness.JournalAsync(run.Id))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.release")
            .Select(e => ((IReadOnlyDictionary<string, object?>)e.Outputs!)["group"])
            .ToList();
        var controller = new LoadBalancerFactory(TimeProvider.System).Create(environment, harness.DataDirectory);
        var status = await controller.GetStatusAsync();
        return (finished.Status, deployed, status.GroupsIn(GroupState.Live));
    }
}
