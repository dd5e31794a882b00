using System.Text.Json;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace FileBalancer.Plugin.Tests;

/// <summary>
/// The repository's unchanged rolling-deploy workflow on an environment whose load balancer is the
/// plugin's <c>provider: file</c>: hosts are simulated (sandbox deploys), every load-balancer
/// change goes through the plugin's driver into a real file.
/// </summary>
public sealed class RollingDeployThroughFileBalancerTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("file-balancer-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task RollingDeploy_FileBalancer_TakesEachGroupOutThroughTheFileAndEndsAllReady()
    {
        var environmentPath = Path.Combine(_data, "env", "files.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(environmentPath)!);
        var environmentText = """
            id: files
            repository: { url: sandbox }
            load_balancer: { provider: file, state_file: proxy/servers.json, backend: web, min_live_groups: 1 }
            groups:
              group1: { hosts: [web1, web2] }
              group2: { hosts: [web3, web4] }
            hosts:
              web1: { address: 127.0.0.11 }
              web2: { address: 127.0.0.12 }
              web3: { address: 127.0.0.13, lb_server: web3-blue }
              web4: { address: 127.0.0.14 }
            deploy: { source: sandbox, root: /srv/opensky, restart: sudo systemctl restart opensky }
            vars: { sandbox_initial_release: v2.9.0 }
            """;
        Directory.CreateDirectory(Path.Combine(_data, "env", "proxy"));
        var services = new ServiceCollection()
            .AddGantryEngine(o => o.DataDirectory = _data)
            .AddGantryProviders();
        FileBalancerPlugin.Register(services);
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<WorkflowEngine>();
        var library = new WorkspaceCatalog(RepositoryRoot()).LoadWorkflows();

        var run = await engine.StartAsync(new StartRunRequest
        {
            Workflow = library["rolling-deploy"],
            Library = library,
            Environment = DocumentLoader.LoadEnvironment(environmentText, environmentPath).GetOrThrow(),
            EnvironmentText = environmentText,
        }, CancellationToken.None);
        var finished = await engine.RunAsync(run.Id, CancellationToken.None);

        Assert.True(finished.Status == RunStatus.Succeeded, $"run {finished.Status}: {finished.Message}");
        var journal = await engine.Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        var deployed = journal
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.release")
            .Select(e => ((IReadOnlyDictionary<string, object?>)e.Outputs!)["group"] as string);
        Assert.Equal(["all", "group1", "group2"], deployed); // staged on every host first, then group by group
        var stateFile = Path.Combine(_data, "env", "proxy", "servers.json");
        Assert.Equal(
            new Dictionary<string, string> { ["web1"] = "ready", ["web2"] = "ready", ["web3-blue"] = "ready", ["web4"] = "ready" },
            JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(stateFile)));
        Assert.Equal(
            ["maint web1,web2", "ready web1,web2", "maint web3-blue,web4", "ready web3-blue,web4"],
            await File.ReadAllLinesAsync(stateFile + ".log"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Workflows.sln not found above the test folder");
    }
}
