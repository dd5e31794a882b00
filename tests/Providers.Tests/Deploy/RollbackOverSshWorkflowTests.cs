using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Gantry.Providers.Status;
using Gantry.Providers.Tests.Fixtures;
using Gantry.Providers.Tests.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Deploy;

/// <summary>
/// The repository's rolling-deploy and rollback workflows and the fleet status, through the engine,
/// against a real HAProxy (servers web1..web4) and real SSH hosts (127.0.0.2..5) whose node apps
/// serve the deployed VERSION: group1 = web1, web2; group2 = web3, web4.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class RollbackOverSshWorkflowTests(SshFleetFixture fleet, HAProxyTestSite haproxy) : IClassFixture<HAProxyTestSite>, IAsyncLifetime, IDisposable
{
    private const string EveryServerUp = "web1=UP web2=UP web3=UP web4=UP";
    private readonly string _data = Directory.CreateTempSubdirectory("gantry-rollback-").FullName;
    private readonly SshConnectionPool _pool = new(fleet.Options());
    private ServiceProvider? _services;

    public Task InitializeAsync() => haproxy.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _services?.Dispose();
        _pool.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Status_AfterRollingDeploy_ListsEachHostsReleasesWithTheRunThatDeployedThem()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        await DeployEverywhereAsync(site, "v3.0.0");

        var rollout = await RunAsync(environment, "rolling-deploy", new() { ["ref"] = "v3.0.1" });
        var status = await Services().GetRequiredService<FleetStatusReader>().ReadAsync(environment.Definition, _data, CancellationToken.None);

        Assert.True(rollout.Status == RunStatus.Succeeded, rollout.Message);
        var (c0, c1) = (await fleet.ShortCommitAsync("v3.0.0"), await fleet.ShortCommitAsync("v3.0.1"));
        Assert.Equal(["group1 Live", "group2 Live"], status.Groups.Select(g => $"{g.Name} {g.State}"));
        Assert.Null(status.LoadBalancerError);
        Assert.All(status.Hosts, host =>
        {
            Assert.Equal("v3.0.1", host.Current);
            Assert.Equal("v3.0.0", host.Previous);
            Assert.Equal([$"v3.0.1 current deploy {rollout.Id} {c1}", $"v3.0.0 deploy setup {c0}"], host.Releases.Select(r => $"{r.Name}{(r.Current ? " current" : "")} {r.Action} {r.Run} {r.Commit}"));
            Assert.All(host.Releases, r => Assert.NotNull(r.At));
            Assert.True(host.Healthy, host.HealthProblem);
            Assert.Equal((true, AdminState.Ready), (host.Balancer!.Live, host.Balancer.Admin));
            Assert.Null(host.Drift);
            Assert.Null(host.Error);
        });
    }

    [Fact]
    public async Task Rollback_AfterRollingDeploy_EveryHostOnThePreviousReleaseWithoutCloningAndEveryServerLive()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        await DeployEverywhereAsync(site, "v3.0.0");
        var rollout = await RunAsync(environment, "rolling-deploy", new() { ["ref"] = "v3.0.1" });
        Assert.True(rollout.Status == RunStatus.Succeeded, rollout.Message);
        foreach (var host in site.Hosts)
        {
            await File.WriteAllTextAsync(Path.Combine(host.Root, "releases", "v3.0.0", "kept-marker"), "not cloned again");
        }

        var rollback = await RunAsync(environment, "rollback", []);

        Assert.True(rollback.Status == RunStatus.Succeeded, rollback.Message);
        Assert.Equal(["v3.0.0", "v3.0.0", "v3.0.0", "v3.0.0"], site.Hosts.Select(FleetSite.CurrentOf));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));
        Assert.All(site.Hosts, h => Assert.True(File.Exists(Path.Combine(h.Root, "releases", "v3.0.0", "kept-marker"))));
        Assert.Equal(EveryServerUp, await StatusesAsync());
        Assert.Equal("v3.0.0", (await OutputsAsync(rollback.Id, "check"))["release"]);
        Assert.All(site.Hosts, h => Assert.StartsWith($"rollback\tv3.0.0\tv3.0.1\t{rollback.Id}\t", LastRevision(h), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_ToAnOlderTag_EveryHostOnThatTag()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        foreach (var tag in new[] { "v3.0.0", "v3.0.1", "v3.0.2" })
        {
            await DeployEverywhereAsync(site, tag);
        }

        var rollback = await RunAsync(environment, "rollback", new() { ["to"] = "v3.0.0" });

        Assert.True(rollback.Status == RunStatus.Succeeded, rollback.Message);
        Assert.Equal(["v3.0.0", "v3.0.0", "v3.0.0", "v3.0.0"], site.Hosts.Select(FleetSite.CurrentOf));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));
        Assert.Equal(EveryServerUp, await StatusesAsync());
    }

    [Fact]
    public async Task Rollback_HostsMissingTheRelease_RefusedNamingThemAndNothingTouched()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        await DeployEverywhereAsync(site, "v3.0.0");
        await DeployEverywhereAsync(site, "v3.0.1");
        Directory.Delete(Path.Combine(site[1].Root, "releases", "v3.0.0"), recursive: true);
        Directory.Delete(Path.Combine(site[3].Root, "releases", "v3.0.0"), recursive: true);
        var logsBefore = site.Hosts.Select(h => File.ReadAllText(Path.Combine(h.Root, "revisions.log"))).ToList();

        var rollback = await RunAsync(environment, "rollback", new() { ["to"] = "v3.0.0" });

        Assert.Equal(RunStatus.Failed, rollback.Status);
        Assert.Equal(
            "step check (steps[0]) failed: refusing to roll back production to v3.0.0: web2, web4 no longer have it (web2 keeps v3.0.1; web4 keeps v3.0.1); nothing was changed. "
            + "To clone it again on those hosts: gantry rollback --env production --to v3.0.0 --fetch",
            rollback.Message);
        Assert.Equal(["v3.0.1", "v3.0.1", "v3.0.1", "v3.0.1"], site.Hosts.Select(FleetSite.CurrentOf));
        Assert.Equal(logsBefore, site.Hosts.Select(h => File.ReadAllText(Path.Combine(h.Root, "revisions.log"))));
        Assert.Equal(EveryServerUp, await StatusesAsync());
    }

    [Fact]
    public async Task Rollback_HostsMissingTheReleaseWithFetch_ClonesItThereAndSwitchesTheOthers()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        await DeployEverywhereAsync(site, "v3.0.0");
        await DeployEverywhereAsync(site, "v3.0.1");
        Directory.Delete(Path.Combine(site[1].Root, "releases", "v3.0.0"), recursive: true);

        var rollback = await RunAsync(environment, "rollback", new() { ["to"] = "v3.0.0", ["fetch"] = true });

        Assert.True(rollback.Status == RunStatus.Succeeded, rollback.Message);
        Assert.Equal(["v3.0.0", "v3.0.0", "v3.0.0", "v3.0.0"], site.Hosts.Select(FleetSite.CurrentOf));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));
        // The host that no longer kept v3.0.0 had it cloned by the staging step, while every group served; then it was switched back like the others.
        Assert.False(File.Exists(Path.Combine(site[1].Root, "releases", "v3.0.0", ".gantry-staged")), "v3.0.0 went live on the second host but is still marked staged");
        Assert.StartsWith("rollback\tv3.0.0\tv3.0.1\t", LastRevision(site[1]), StringComparison.Ordinal);
        Assert.StartsWith("rollback\tv3.0.0\tv3.0.1\t", LastRevision(site[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterCurrentSwitchedByHand_ReportsWhatIsReallyThere()
    {
        var site = fleet.NewSite(4);
        var environment = SshWorkflowEnvironment.Create(fleet, haproxy, site);
        await DeployEverywhereAsync(site, "v3.0.0");
        await DeployEverywhereAsync(site, "v3.0.1");
        var web3 = site[2];
        await SshFleetFixture.RunAsync("sh", "-c", $"cd '{web3.Root}' && ln -sfn releases/v3.0.0 current.tmp && mv -T current.tmp current");

        var status = await Services().GetRequiredService<FleetStatusReader>().ReadAsync(environment.Definition, _data, CancellationToken.None);

        var hosts = status.Hosts.ToDictionary(h => h.Name);
        Assert.Equal(["web1 v3.0.1", "web2 v3.0.1", "web3 v3.0.0", "web4 v3.0.1"], status.Hosts.Select(h => $"{h.Name} {h.Current}"));
        Assert.Equal(["v3.0.1", "v3.0.0 current"], hosts["web3"].Releases.Select(r => r.Name + (r.Current ? " current" : "")));
        Assert.Equal("current is v3.0.0 but revisions.log last recorded deploy of v3.0.1 by run setup: it was switched outside Gantry", hosts["web3"].Drift);
        Assert.All(status.Hosts.Where(h => h.Name != "web3"), h => Assert.Null(h.Drift));
    }

    /// <summary>Deploys a tag to every host at once, as an earlier rollout would have (run id "setup").</summary>
    private async Task DeployEverywhereAsync(FleetSite site, string tag)
    {
        var result = await new GroupDeployer(new ReleaseDeployer(_pool)).DeployAsync(
            site.Targets, tag, new GitReleaseSource(fleet.OriginUrl), "setup", new GroupDeployOptions { MaxParallel = 4 }, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", result.Failures.Select(f => f.Error?.Message)));
    }

    private static string LastRevision(SiteHost host)
    {
        var line = File.ReadAllLines(Path.Combine(host.Root, "revisions.log"))[^1];
        return line[(line.IndexOf('\t') + 1)..];
    }

    private async Task<string> StatusesAsync() =>
        string.Join(" ", (await haproxy.Proxy.StatusesAsync()).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));

    private ServiceProvider Services() => _services ??= new ServiceCollection()
        .AddGantryEngine(o => o.DataDirectory = _data)
        .AddGantryProviders()
        .BuildServiceProvider();

    private async Task<RunRecord> RunAsync((EnvironmentDefinition Definition, string Text) environment, string workflowId, Dictionary<string, object?> inputs)
    {
        var library = new WorkspaceCatalog(SandboxHarness.RepositoryRoot()).LoadWorkflows();
        var engine = Services().GetRequiredService<WorkflowEngine>();
        var run = await engine.StartAsync(new StartRunRequest
        {
            Workflow = library[workflowId],
            Library = library,
            Environment = environment.Definition,
            EnvironmentText = environment.Text,
            Inputs = inputs,
        }, CancellationToken.None);
        return await engine.RunAsync(run.Id, CancellationToken.None);
    }

    private async Task<IReadOnlyDictionary<string, object?>> OutputsAsync(string runId, string stepId)
    {
        var journal = await Services().GetRequiredService<WorkflowEngine>().Store.ReadJournalAsync(runId, 0, CancellationToken.None);
        return (IReadOnlyDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == stepId).Outputs!;
    }
}
