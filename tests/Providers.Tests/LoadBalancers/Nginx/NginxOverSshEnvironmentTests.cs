using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Tests.Fixtures;
using Gantry.Providers.Tests.Scenario;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>
/// An environment document whose nginx load balancer sets <c>ssh_host</c>, run through the engine's
/// <c>lb.*</c> activities: the driver comes from the environment (LoadBalancerFactory), not from the
/// test, and manages a real nginx over the fleet's real sshd on "load-balancer host" 127.0.0.2.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class NginxOverSshEnvironmentTests(SshFleetFixture fleet)
{
    private static CancellationToken Token => CancellationToken.None;

    [Fact]
    public async Task LbLiveThenLbAll_NginxWithSshHost_RewritesTheUpstreamOverSshAndNginxServesOnlyLiveGroups()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        using var harness = new SandboxHarness();
        var environment = Environment(nginx, harness.DataDirectory);
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var sessionsBefore = AcceptedSshSessions();

        var outOfRotation = await RunAsync(harness, environment, "lb.live\n    with: { groups: [group2] }");
        Assert.True(outOfRotation.Run.Status == RunStatus.Succeeded, $"lb.live {outOfRotation.Run.Status}: {outOfRotation.Run.Message}");
        await nginx.WaitForReloadsAsync(1);
        Assert.Equal("live: group2; out: group1", outOfRotation.Groups);
        Assert.Equal(Upstream(nginx, down: ["web1", "web2"]), await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        Assert.Equal(original, await File.ReadAllTextAsync(nginx.UpstreamConfigPath + ".previous", Token));
        Assert.Equal(["web3", "web4"], (await nginx.SendAsync(20)).Keys.Order());

        var allLive = await RunAsync(harness, environment, "lb.all");
        Assert.True(allLive.Run.Status == RunStatus.Succeeded, $"lb.all {allLive.Run.Status}: {allLive.Run.Message}");
        await nginx.WaitForReloadsAsync(2);
        Assert.Equal("live: group1, group2; out: ", allLive.Groups);
        Assert.Equal(Upstream(nginx, down: []), await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        Assert.Equal(["web1", "web2", "web3", "web4"], (await nginx.SendAsync(40)).Keys.Order());
        Assert.Equal(2, nginx.ReloadCount);
        Assert.True(AcceptedSshSessions() > sessionsBefore, "the load-balancer host was not reached over SSH: sshd accepted no new session");
    }

    /// <summary>
    /// web1..web4 are nginx's backends; "lb" is only the host nginx runs on, reached over SSH with
    /// the fleet's keys, and must not appear in the upstream block.
    /// </summary>
    private (EnvironmentDefinition Definition, string Text) Environment(NginxFixture nginx, string folder)
    {
        var backends = string.Join("\n", nginx.Backends.Select(b => $"  {b.Name}: {{ address: 127.0.0.1, vars: {{ upstream: \"{b.Address}\" }} }}"));
        var text = $"""
            id: edge
            load_balancer:
              provider: nginx
              backend: {NginxFixture.UpstreamName}
              config_file: {nginx.UpstreamConfigPath}
              main_config: {nginx.MainConfigPath}
              ssh_host: lb
              settle_delay: 100ms
            groups:
              group1: {"{"} hosts: [web1, web2] {"}"}
              group2: {"{"} hosts: [web3, web4] {"}"}
            hosts:
              lb: {"{"} address: {fleet.Hosts[0].Address} {"}"}
            {backends}
            {fleet.EnvironmentSshBlock}
            """;
        return (DocumentLoader.LoadEnvironment(text, Path.Combine(folder, "edge.yaml")).GetOrThrow(), text);
    }

    private static string Upstream(NginxFixture nginx, string[] down) =>
        "# Written by Gantry: taking servers out and bringing them live rewrites this file.\n"
        + $"upstream {NginxFixture.UpstreamName} {{\n"
        + string.Concat(nginx.Backends.Select(b => $"    server {b.Address}{(down.Contains(b.Name) ? " down" : "")};\n"))
        + "}\n";

    private static async Task<(RunRecord Run, string Groups)> RunAsync(SandboxHarness harness, (EnvironmentDefinition Definition, string Text) environment, string uses)
    {
        var workflow = DocumentLoader.LoadWorkflow($"id: edge-lb\nsteps:\n  - id: lb\n    uses: {uses}\n", "edge-lb.yaml").GetOrThrow();
        var started = await harness.Engine.StartAsync(new StartRunRequest
        {
            Workflow = workflow,
            Library = new Dictionary<string, WorkflowDefinition> { [workflow.Id] = workflow },
            Environment = environment.Definition,
            EnvironmentText = environment.Text,
            Inputs = new Dictionary<string, object?>(),
        }, Token);
        var run = await harness.Engine.RunAsync(started.Id, Token);
        var outputs = (await harness.JournalAsync(run.Id)).SingleOrDefault(e => e.Type == JournalEventTypes.StepSucceeded)?.Outputs as IReadOnlyDictionary<string, object?>;
        return (run, outputs is null ? "" : $"live: {Names(outputs["live"])}; out: {Names(outputs["out"])}");
    }

    private static string Names(object? groups) => string.Join(", ", ((IEnumerable<object?>)groups!).Select(g => g?.ToString()));

    private int AcceptedSshSessions() =>
        fleet.SshdLog.Split('\n').Count(line => line.Contains("Accepted publickey", StringComparison.Ordinal));
}
