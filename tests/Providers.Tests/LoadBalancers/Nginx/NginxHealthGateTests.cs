using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>
/// nginx OSS keeps no health state, so Gantry asks each host with the environment's health check
/// before writing it live (real nginx, real backends on loopback, the controller an environment builds).
/// </summary>
public sealed class NginxHealthGateTests : IDisposable
{
    /// <summary>Simulated deploys; the health check is the one nginx's bring-live asks.</summary>
    private const string Deploys = """
        deploy:
          source: sandbox
          root: /srv/opensky
          restart: sudo systemctl restart opensky
          health: { url: "http://{{ host.vars.upstream }}/health", retries: 3, interval: 100ms }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-nginx-gate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task All_HostThatDiedAfterItsDeploy_StaysOutIsNamedAndPostsNeverReachIt()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var controller = new LoadBalancerFactory(TimeProvider.System).Create(Environment(nginx), _folder);
        await controller.SetLiveAsync(["group2"]);
        await nginx["web2"].StopAsync();

        var ex = await Assert.ThrowsAsync<LoadBalancerException>(() => controller.AllAsync());

        Assert.Equal(
            $"Bringing live 'web1', 'web2' on nginx upstream 'web': 'web2' failed the health check and stays out of rotation: "
            + $"web2: GET http://{nginx["web2"].Address}/health failed: Connection refused ({nginx["web2"].Address}) (3 attempts)",
            ex.Message);
        var servers = (await controller.GetStatusAsync()).Groups.SelectMany(g => g.Servers).ToDictionary(s => s.Name, s => s.Admin);
        Assert.Equal(AdminState.Maint, servers["web2"]);
        Assert.All(["web1", "web3", "web4"], s => Assert.Equal(AdminState.Ready, servers[s]));

        // A POST is not retried by nginx on another server: every one must land on a host that answers.
        await nginx.WaitForReloadsAsync(2);
        using var client = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.PostAsync(nginx.Url, new StringContent(""));
            Assert.True(response.IsSuccessStatusCode, $"POST {i + 1} got {(int)response.StatusCode}");
            Assert.NotEqual("web2", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Restore_HostStillFailing_IsLeftOutUntilItAnswersThenReadyBringsItBack()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var controller = new LoadBalancerFactory(TimeProvider.System).Create(Environment(nginx), _folder);
        await controller.SetLiveAsync(["group2"]);
        nginx["web1"].Status = 503;

        var ex = await Assert.ThrowsAsync<LoadBalancerException>(() => controller.RestoreAsync());

        Assert.StartsWith(
            $"lb.restore could not bring live group1: Bringing live 'web1', 'web2' on nginx upstream 'web': 'web1' failed the health check and stays out of rotation: "
            + $"web1: GET http://{nginx["web1"].Address}/health answered 503, expected 200 (3 attempts). Now: ",
            ex.Message);
        Assert.Equal(AdminState.Maint, (await controller.GetStatusAsync()).Groups.SelectMany(g => g.Servers).Single(s => s.Name == "web1").Admin);

        nginx["web1"].Status = 200;
        var after = await controller.ReadyHostAsync("web1");

        Assert.All(after.Groups.SelectMany(g => g.Servers), s => Assert.Equal(AdminState.Ready, s.Admin));
        await nginx.WaitForReloadsAsync(3);
        Assert.Equal(["web1", "web2", "web3", "web4"], (await nginx.SendAsync(24)).Keys.Order());
    }

    [Fact]
    public async Task Flip_OutGroupHealthy_IsBroughtLiveAfterItsCheck()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var controller = new LoadBalancerFactory(TimeProvider.System).Create(Environment(nginx), _folder);
        await controller.SetLiveAsync(["group2"]);
        var hitsBefore = nginx["web1"].Hits;

        var status = await controller.FlipAsync();

        Assert.Equal(["group1"], status.GroupsIn(GroupState.Live));
        Assert.True(nginx["web1"].Hits > hitsBefore, "web1 was brought live without its health check being asked");
    }

    private EnvironmentDefinition Environment(NginxFixture nginx)
    {
        var hosts = string.Join("\n", nginx.Backends.Select(b => $"  {b.Name}: {{ address: 127.0.0.1, vars: {{ upstream: \"{b.Address}\" }} }}"));
        var text = $$"""
            id: nginx-gate
            repository: { url: sandbox }
            load_balancer: { provider: nginx, backend: {{NginxFixture.UpstreamName}}, config_file: "{{nginx.UpstreamConfigPath}}", main_config: "{{nginx.MainConfigPath}}", settle_delay: 100ms, min_live_groups: 1 }
            groups:
              group1: { hosts: [web1, web2] }
              group2: { hosts: [web3, web4] }
            hosts:
            {{hosts}}
            {{Deploys}}
            """;
        return DocumentLoader.LoadEnvironment(text, Path.Combine(_folder, "nginx-gate.yaml")).GetOrThrow();
    }
}
