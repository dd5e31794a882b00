using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Deploy;

/// <summary>
/// One-step workflows through the engine against a real HAProxy (servers web1..web4) and real SSH
/// hosts (127.0.0.2..5): group1 = web1, web2; group2 = web3, web4.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class DeployOverSshWorkflowTests(SshFleetFixture fleet, HAProxyTestSite haproxy) : IClassFixture<HAProxyTestSite>, IAsyncLifetime, IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("gantry-sshwf-").FullName;
    private ServiceProvider? _services;

    public Task InitializeAsync() => haproxy.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _services?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task DeployRelease_TargetOut_OnlyTheGroupHAProxyReportsOutServesTheTag()
    {
        var site = fleet.NewSite(4);
        var environment = Environment(site);
        await LoadBalancers().Create(environment.Definition, _data).SetLiveAsync(["group2"]);

        var run = await RunAsync(environment, "uses: deploy.release\n    with: { target: out, tag: v3.0.2 }");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["3.0.2", "3.0.2"], await Task.WhenAll(site.Hosts.Take(2).Select(FleetSite.ServedAsync)));
        Assert.Equal(["v3.0.2", "v3.0.2", null, null], site.Hosts.Select(FleetSite.CurrentOf));
        var statuses = await haproxy.Proxy.StatusesAsync();
        Assert.Equal("web1=MAINT web2=MAINT web3=UP web4=UP", string.Join(" ", statuses.Select(s => $"{s.Key}={s.Value}")));
    }

    [Fact]
    public async Task DeployRelease_LiveGroup_RefusedAndNothingDeployed()
    {
        var site = fleet.NewSite(4);
        var environment = Environment(site);
        await LoadBalancers().Create(environment.Definition, _data).SetLiveAsync(["group2"]);

        var run = await RunAsync(environment, "uses: deploy.release\n    with: { target: group2, tag: v3.0.2 }");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(
            "step step (steps[0]) failed: refusing to deploy to group2: it is live in the load balancer (group1 out, group2 live); take it out first or set allow_live: true",
            run.Message);
        Assert.All(site.Hosts, h => Assert.Null(FleetSite.CurrentOf(h)));
    }

    [Fact]
    public async Task SshRun_LiveGroup_RunsOnEachHostWithTheCommandRenderedPerHost()
    {
        var environment = Environment(fleet.NewSite(4));

        var run = await RunAsync(environment, "uses: ssh.run\n    with: { target: group2, command: \"echo {{ host.name }} at {{ host.address }}; echo careful >&2\" }");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var outputs = await OutputsAsync(run.Id);
        Assert.Equal("group2", outputs["group"]);
        var hosts = ((IEnumerable<object?>)outputs["hosts"]!).Cast<IReadOnlyDictionary<string, object?>>()
            .Select(h => $"{h["host"]} exit {h["exit_code"]} stdout '{h["stdout"]}' stderr '{h["stderr"]}'");
        Assert.Equal(["web3 exit 0 stdout 'web3 at 127.0.0.4' stderr 'careful'", "web4 exit 0 stdout 'web4 at 127.0.0.5' stderr 'careful'"], hosts);
    }

    [Fact]
    public async Task SshRun_CommandFailsOnOneHost_FailsNamingHostCommandExitCodeAndStderr()
    {
        var environment = Environment(fleet.NewSite(4));

        var run = await RunAsync(environment, "uses: ssh.run\n    with: { hosts: [web1, web2], command: \"test {{ host.name }} = web1 || { echo no such file: /etc/app.conf >&2; exit 3; }\" }");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(
            "step step (steps[0]) failed: ssh.run failed on 1 of 2 host(s) of hosts: web2: `test web2 = web1 || { echo no such file: /etc/app.conf >&2; exit 3; }` exited with code 3; stderr: no such file: /etc/app.conf",
            run.Message);
    }

    private LoadBalancerFactory LoadBalancers() => Services().GetRequiredService<LoadBalancerFactory>();

    private ServiceProvider Services() => _services ??= new ServiceCollection()
        .AddGantryEngine(o => o.DataDirectory = _data)
        .AddGantryProviders()
        .BuildServiceProvider();

    [Fact]
    public async Task DeployRelease_TwoStepsToTheSameHosts_OneConnectionPerHostForTheRunClosedWhenItEnds()
    {
        var (run, site, logins, journal) = await RunCountingLoginsAsync(
            "uses: deploy.release\n    with: { target: group1, tag: v3.0.1 }\n  - id: again\n    uses: deploy.release\n    with: { target: group1, tag: v3.0.2 }");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["3.0.2", "3.0.2"], await Task.WhenAll(site.Hosts.Take(2).Select(FleetSite.ServedAsync)));
        Assert.Equal(2, logins);
        Assert.Equal(0, Services().GetRequiredService<Gantry.Providers.Ssh.SshRunConnections>().OpenPools);

        // Each step's host output is journaled under that step, though both used the same connections.
        var started = journal.Where(e => e.Type == JournalEventTypes.Log && e.Message!.StartsWith("started app", StringComparison.Ordinal)).ToList();
        Assert.Equal(["steps[0] web1", "steps[0] web2", "steps[1] web1", "steps[1] web2"], started.Select(e => $"{e.Path} {e.Host}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SshRunThenDeploy_SameHosts_ShareTheRunsConnections()
    {
        var (run, site, logins, journal) = await RunCountingLoginsAsync(
            "uses: ssh.run\n    with: { target: group1, command: \"echo checked\" }\n  - id: deploy\n    uses: deploy.release\n    with: { target: group1, tag: v3.0.1 }");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["3.0.1", "3.0.1"], await Task.WhenAll(site.Hosts.Take(2).Select(FleetSite.ServedAsync)));
        Assert.Equal(2, logins);

        // ssh.run's output is journaled under ssh.run's step, though deploy.release used the same connections after it.
        var checkedLines = journal.Where(e => e.Type == JournalEventTypes.Log && e.Message == "checked").Select(e => $"{e.Path} {e.Host}");
        Assert.Equal(["steps[0] web1", "steps[0] web2"], checkedLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StatusDeploysAndRollbackCheck_SameHosts_ShareTheRunsConnections()
    {
        var (run, site, logins, journal) = await RunCountingLoginsAsync(
            "uses: deploy.status\n    with: { target: group1 }\n  - id: deploy\n    uses: deploy.release\n    with: { target: group1, tag: v3.0.1 }"
            + "\n  - id: again\n    uses: deploy.release\n    with: { target: group1, tag: v3.0.2 }"
            + "\n  - id: check\n    uses: deploy.rollback\n    with: { target: group1, mode: check }");

        Assert.True(run.Status == RunStatus.Succeeded, run.Message);
        Assert.Equal(["3.0.2", "3.0.2"], await Task.WhenAll(site.Hosts.Take(2).Select(FleetSite.ServedAsync)));
        Assert.Equal(2, logins);
        var check = journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "check");
        Assert.Equal("v3.0.1", ((IReadOnlyDictionary<string, object?>)check.Outputs!)["release"]);
    }

    /// <summary>Runs <paramref name="steps"/> on a new site with group2 live (group1 out); returns the run, its journal and the logins it made.</summary>
    private async Task<(RunRecord Run, FleetSite Site, int Logins, IReadOnlyList<JournalEvent> Journal)> RunCountingLoginsAsync(string steps)
    {
        var site = fleet.NewSite(4);
        var environment = Environment(site);
        await LoadBalancers().Create(environment.Definition, _data).SetLiveAsync(["group2"]);
        var before = Logins();

        var run = await RunAsync(environment, steps);

        var journal = await Services().GetRequiredService<WorkflowEngine>().Store.ReadJournalAsync(run.Id, 0, CancellationToken.None);
        return (run, site, Logins() - before, journal);
    }

    /// <summary>How many logins the fixture's sshd has accepted so far.</summary>
    private int Logins() => fleet.SshdLog.Split('\n').Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));

    private async Task<RunRecord> RunAsync((EnvironmentDefinition Definition, string Text) environment, string step)
    {
        var workflow = DocumentLoader.LoadWorkflow($"id: one-step\nsteps:\n  - id: step\n    {step}\n", "one-step.yaml").GetOrThrow();
        var engine = Services().GetRequiredService<WorkflowEngine>();
        var run = await engine.StartAsync(new StartRunRequest
        {
            Workflow = workflow,
            Library = new Dictionary<string, WorkflowDefinition> { [workflow.Id] = workflow },
            Environment = environment.Definition,
            EnvironmentText = environment.Text,
            Inputs = new Dictionary<string, object?>(),
        }, CancellationToken.None);
        return await engine.RunAsync(run.Id, CancellationToken.None);
    }

    private async Task<IReadOnlyDictionary<string, object?>> OutputsAsync(string runId)
    {
        var journal = await Services().GetRequiredService<WorkflowEngine>().Store.ReadJournalAsync(runId, 0, CancellationToken.None);
        return (IReadOnlyDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded).Outputs!;
    }

    private (EnvironmentDefinition Definition, string Text) Environment(FleetSite site) => SshWorkflowEnvironment.Create(fleet, haproxy, site);
}
