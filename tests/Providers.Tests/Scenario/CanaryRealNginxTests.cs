using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Sandbox;
using Gantry.Providers.Tests.Fixtures;
using Xunit.Abstractions;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>
/// The repository's canary workflow against a real nginx (three groups: canary, a, b), through the
/// engine: every load-balancer action and the HTTP health gate are real, host deploys are simulated.
/// </summary>
public sealed class CanaryRealNginxTests(ITestOutputHelper output)
{
    private static readonly string[] Backends = ["canary1", "a1", "a2", "b1", "b2"];

    private const string SandboxDeploys = """
        deploy:
          source: sandbox
          root: /srv/opensky
          restart: sudo systemctl restart opensky
          health: { url: "http://{{ host.vars.upstream }}/health", retries: 3, interval: 100ms }
        vars: { sandbox_initial_release: v2.9.0 }
        """;

    [Fact]
    public async Task Canary_RealNginx_WaitsAtApprovalWithOnlyCanaryOnNewReleaseThenRollsOutEveryGroup()
    {
        await using var nginx = await NginxFixture.StartAsync(Backends);
        using var harness = new SandboxHarness();
        var environment = Environment(nginx, harness);
        using var stop = new CancellationTokenSource();
        var load = RequestLoop.RunAsync(nginx.Url, stop.Token);

        var run = await StartAsync(harness, environment);
        var waiting = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal("approval: v3.0.0 is live and healthy on the canary group. Roll it out to groups a and b? (signal 'approve')", waiting.Message);
        Assert.Equal("canary1=v3.0.0, a1=v2.9.0, a2=v2.9.0, b1=v2.9.0, b2=v2.9.0", Releases(harness, environment.Definition));
        Assert.Equal(["canary", "a", "b"], await LiveGroupsAsync(harness, environment.Definition));
        Assert.Equal(["canary"], await DeployedGroupsAsync(harness, run.Id));

        await harness.Engine.SignalAsync(run.Id, "approve", new Dictionary<string, object?> { ["approved"] = true }, "release-manager", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        await stop.CancelAsync();
        var (sent, failed) = await load;
        output.WriteLine($"client loop through nginx during the run: {sent} requests, {failed} failed");

        Assert.True(finished.Status == RunStatus.Succeeded, $"run {finished.Status}: {finished.Message}");
        Assert.Equal("canary1=v3.0.0, a1=v3.0.0, a2=v3.0.0, b1=v3.0.0, b2=v3.0.0", Releases(harness, environment.Definition));
        Assert.Equal(["canary", "a", "b"], await DeployedGroupsAsync(harness, run.Id));
        Assert.Equal(["canary", "a", "b"], await LiveGroupsAsync(harness, environment.Definition));
        Assert.Equal(
            ["canary_out: out canary", "canary_in: out none", "a_out: out a", "b_out: out b", "all_live: out none"],
            await LoadBalancerStepsAsync(harness, run.Id));
        Assert.DoesNotContain("down", await File.ReadAllTextAsync(nginx.UpstreamConfigPath), StringComparison.Ordinal);
        Assert.True(sent > 0, "the client loop sent no request during the run");
        Assert.Equal(0, failed);
    }

    [Fact]
    public async Task Canary_HostFailingAfterItsDeploy_IsNeverBroughtLiveAndTheRunNamesIt()
    {
        // nginx keeps no health state: before Gantry asked each host, canary1 was put live answering
        // 503 and got traffic until the health gate caught it.
        await using var nginx = await NginxFixture.StartAsync(Backends);
        nginx["canary1"].Status = 503;
        using var harness = new SandboxHarness();
        var environment = Environment(nginx, harness);

        var run = await StartAsync(harness, environment);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal(
            $"step canary_in (steps[3].group[0]) failed: Bringing live 'canary1' on nginx upstream 'web': 'canary1' failed the health check and stays out of rotation: "
            + $"canary1: GET http://{nginx["canary1"].Address}/health answered 503, expected 200 (3 attempts)",
            finished.Message);
        var journal = await harness.JournalAsync(run.Id);
        Assert.DoesNotContain(journal, e => e.StepId is "approval" or "canary_health");
        // canary_in is inside the canary's group: the host that could not be brought live is put
        // back on its previous release, and lb.restore leaves it out as nginx's check still fails.
        Assert.Equal(["canary_out: out canary", "canary_out_again: out canary"], await LoadBalancerStepsAsync(harness, run.Id));
        Assert.Equal("canary1=v2.9.0, a1=v2.9.0, a2=v2.9.0, b1=v2.9.0, b2=v2.9.0", Releases(harness, environment.Definition));
        Assert.Equal(["a", "b"], await LiveGroupsAsync(harness, environment.Definition));
        Assert.Contains($"server {nginx["canary1"].Address} down;", await File.ReadAllTextAsync(nginx.UpstreamConfigPath), StringComparison.Ordinal);
        var probed = nginx["canary1"].Hits;
        Assert.Equal(["a1", "a2", "b1", "b2"], (await nginx.SendAsync(20)).Keys.Order());
        Assert.Equal(probed, nginx["canary1"].Hits);
    }

    [Fact]
    public async Task Canary_RefusedApproval_PutsTheCanaryBackOnItsPreviousReleaseAndLeavesAAndBUntouched()
    {
        await using var nginx = await NginxFixture.StartAsync(Backends);
        using var harness = new SandboxHarness();
        var environment = Environment(nginx, harness);
        var run = await StartAsync(harness, environment);
        Assert.Equal(RunStatus.Waiting, (await harness.Engine.RunAsync(run.Id, CancellationToken.None)).Status);

        await harness.Engine.SignalAsync(run.Id, "approve", new Dictionary<string, object?> { ["approved"] = false }, "release-manager", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal("step approval (steps[3].group[2]) failed: approval was refused by release-manager", finished.Message);
        Assert.Equal("canary1=v2.9.0, a1=v2.9.0, a2=v2.9.0, b1=v2.9.0, b2=v2.9.0", Releases(harness, environment.Definition));
        Assert.Equal(["canary"], await DeployedGroupsAsync(harness, run.Id));
        Assert.Equal(
            ["canary_out: out canary", "canary_in: out none", "canary_out_again: out canary", "lb.restore: out none"],
            await LoadBalancerStepsAsync(harness, run.Id));
        Assert.Equal(["canary", "a", "b"], await LiveGroupsAsync(harness, environment.Definition));
    }

    private static (EnvironmentDefinition Definition, string Text) Environment(NginxFixture nginx, SandboxHarness harness)
    {
        var hosts = string.Join("\n", nginx.Backends.Select(b => $"  {b.Name}: {{ address: 127.0.0.1, vars: {{ upstream: \"{b.Address}\" }} }}"));
        var text = $$"""
            id: canary-nginx
            repository: { url: sandbox }
            load_balancer: { provider: nginx, backend: {{NginxFixture.UpstreamName}}, config_file: "{{nginx.UpstreamConfigPath}}", main_config: "{{nginx.MainConfigPath}}", settle_delay: 100ms, min_live_groups: 1 }
            groups:
              canary: { hosts: [canary1] }
              a: { hosts: [a1, a2] }
              b: { hosts: [b1, b2] }
            hosts:
            {{hosts}}
            {{SandboxDeploys}}
            """;
        return (DocumentLoader.LoadEnvironment(text, Path.Combine(harness.DataDirectory, "canary-nginx.yaml")).GetOrThrow(), text);
    }

    private static async Task<RunRecord> StartAsync(SandboxHarness harness, (EnvironmentDefinition Definition, string Text) environment)
    {
        var library = harness.Catalog.LoadWorkflows();
        return await harness.Engine.StartAsync(new StartRunRequest
        {
            Workflow = library["canary"],
            Library = library,
            Environment = environment.Definition,
            EnvironmentText = environment.Text,
            Inputs = new Dictionary<string, object?> { ["health_retries"] = 3L, ["health_interval"] = "100ms" },
        }, CancellationToken.None);
    }

    private static string Releases(SandboxHarness harness, EnvironmentDefinition environment)
    {
        var fleet = new SandboxFleet(environment, harness.DataDirectory).Read();
        return string.Join(", ", Backends.Select(h => $"{h}={fleet.Hosts[h].Current}"));
    }

    private static async Task<IReadOnlyList<string>> LiveGroupsAsync(SandboxHarness harness, EnvironmentDefinition environment) =>
        (await new LoadBalancerFactory(TimeProvider.System).Create(environment, harness.DataDirectory).GetStatusAsync()).GroupsIn(GroupState.Live);

    private static async Task<List<object?>> DeployedGroupsAsync(SandboxHarness harness, string runId) =>
        (await harness.JournalAsync(runId))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.release")
            .Select(e => ((IReadOnlyDictionary<string, object?>)e.Outputs!)["group"])
            .ToList();

    /// <summary>Each load-balancer step that succeeded, with the groups it left out: proof that a and b are never out together.</summary>
    private static async Task<List<string>> LoadBalancerStepsAsync(SandboxHarness harness, string runId) =>
        (await harness.JournalAsync(runId))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity!.StartsWith("lb.", StringComparison.Ordinal))
            .Select(e =>
            {
                var outGroups = ((IEnumerable<object?>)((IReadOnlyDictionary<string, object?>)e.Outputs!)["out"]!).Select(g => g?.ToString()).ToList();
                return $"{e.StepId ?? e.Activity}: out {(outGroups.Count == 0 ? "none" : string.Join(", ", outGroups))}";
            })
            .ToList();
}
