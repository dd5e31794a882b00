using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Notify.Plugin.Tests;

/// <summary>
/// The plugin's activity inside a rollout on the sandbox fleet (a simulated load balancer and hosts
/// from Gantry.Providers, state in a temp folder): the way to test how an activity fits between
/// the built-in steps without any real server but the one the activity itself calls.
/// </summary>
public sealed class SandboxFleetTests : IDisposable
{
    private const string Environment = """
        id: sandbox
        repository: { url: sandbox }
        load_balancer: { provider: sandbox, backend: web, min_live_groups: 1 }
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3, web4] }
        hosts:
          web1: { address: 127.0.0.11 }
          web2: { address: 127.0.0.12 }
          web3: { address: 127.0.0.13 }
          web4: { address: 127.0.0.14 }
        """;

    private const string Workflow = """
        id: mark-out-hosts
        inputs:
          kv: { type: string }
        steps:
          - id: out
            uses: lb.live
            with: { groups: [group2] }
          - foreach: group1
            steps:
              - uses: kv.set
                with: { url: "{{ inputs.kv }}", key: "opensky/out/{{ host.name }}", value: "{{ steps.out.outputs.out[0] }}" }
          - id: all
            uses: lb.all
        """;

    private readonly string _data = Directory.CreateTempSubdirectory("notify-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Run_BetweenLoadBalancerSteps_MarksEachHostOfTheOutGroupThenAllGoLive()
    {
        await using var kv = await RecordingServer.StartAsync(r => r.Method == "GET" ? (404, "") : (200, "true"));
        var services = new ServiceCollection()
            .AddGantryEngine(o => o.DataDirectory = _data)
            .AddGantryProviders()
            .AddActivitiesFrom(typeof(KvSetActivity).Assembly);
        NotifyPlugin.Register(services);
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<WorkflowEngine>();

        var run = await engine.StartAsync(new StartRunRequest
        {
            Workflow = DocumentLoader.LoadWorkflow(Workflow, "mark-out-hosts.yaml").GetOrThrow(),
            Environment = DocumentLoader.LoadEnvironment(Environment, "sandbox.yaml").GetOrThrow(),
            EnvironmentText = Environment,
            Inputs = new Dictionary<string, object?> { ["kv"] = kv.BaseUrl },
        }, CancellationToken.None);
        var finished = await engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        // One key per host of the out group; the order of the hosts is the engine's, not the plugin's.
        Assert.Equal(
            [
                new SeenRequest("GET", "/v1/kv/opensky/out/web1?raw", null, null, ""),
                new SeenRequest("PUT", "/v1/kv/opensky/out/web1", null, "text/plain; charset=utf-8", "group1"),
                new SeenRequest("GET", "/v1/kv/opensky/out/web2?raw", null, null, ""),
                new SeenRequest("PUT", "/v1/kv/opensky/out/web2", null, "text/plain; charset=utf-8", "group1"),
            ],
            kv.Requests.OrderBy(r => r.PathAndQuery.Replace("?raw", "", StringComparison.Ordinal), StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal));
        var journal = await engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        var all = (IReadOnlyDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "all").Outputs!;
        Assert.Equal(["group1", "group2"], ((IEnumerable<object?>)all["live"]!).Select(g => g as string));
    }
}
