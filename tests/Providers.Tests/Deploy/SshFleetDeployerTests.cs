using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Providers.Deploy;
using Gantry.Providers.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Deploy;

[Collection(SshFleetCollection.Name)]
public sealed class SshFleetDeployerTests(SshFleetFixture fleet)
{
    [Fact]
    public async Task DeployAsync_TwoHostsFromTheEnvironment_BothServeTheTagAndOutputIsTaggedPerHost()
    {
        var site = fleet.NewSite(2);
        var environment = Environment(site);
        var log = new CollectingLog();
        var deployer = Factory().Create(environment);

        var result = await deployer.DeployAsync(Request(environment, "v3.0.1", log), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", result.Hosts.Select(h => h.Error)));
        Assert.Equal([("web1", true, "v3.0.1"), ("web2", true, "v3.0.1")], result.Hosts.Select(h => (h.Host, h.Succeeded, h.Current)));
        foreach (var host in site.Hosts)
        {
            Assert.Equal("3.0.1", await FleetSite.ServedAsync(host));
            var pid = (await File.ReadAllTextAsync(Path.Combine(host.Root, "app.pid"))).Trim();
            Assert.Contains(($"started app v3.0.1 (pid {pid}) on {host.Host.Address}:{host.AppPort}", "stdout", (string?)host.Name), log.Lines);
            Assert.Contains(($"now on v3.0.1", (string?)host.Name), log.Infos);
        }

        Assert.Equal([1, 2], log.Progress.Select(p => p.Done).Order());
        Assert.All(log.Progress, p => Assert.Equal((2, 0), (p.Total, p.Failed)));

        var states = await deployer.ReadStateAsync(environment, ["web1", "web2"], fleet.Root, probeHealth: true, CancellationToken.None);
        Assert.All(states, s => Assert.Equal(("v3.0.1", (string?)null, (bool?)true), (s.Current, s.Error, s.Healthy)));
    }

    [Fact]
    public async Task DeployAsync_ArchiveSourceThenRollback_HostsServeTheTagThenThePreviousOne()
    {
        var site = fleet.NewSite(2);
        var environment = Environment(site);
        environment.Deploy.Source = Engine.Model.ReleaseSource.Archive;
        var deployer = Factory().Create(environment);
        foreach (var tag in new[] { "v3.0.0", "v3.0.1" })
        {
            var deployed = await deployer.DeployAsync(Request(environment, tag, new CollectingLog()), CancellationToken.None);
            Assert.True(deployed.Succeeded, string.Join("\n", deployed.Hosts.Select(h => h.Error)));
        }

        Assert.Equal(["3.0.1", "3.0.1"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));

        var rolled = await deployer.RollbackAsync(Request(environment, null, new CollectingLog()), CancellationToken.None);

        Assert.Equal([("web1", true, "v3.0.0", "v3.0.1"), ("web2", true, "v3.0.0", "v3.0.1")], rolled.Hosts.Select(h => (h.Host, h.Succeeded, h.Current, h.Previous)));
        Assert.Equal(["3.0.0", "3.0.0"], await Task.WhenAll(site.Hosts.Select(FleetSite.ServedAsync)));
    }

    [Fact]
    public async Task DeployAsync_HealthExpectBodyFromTheEnvironment_IsCheckedAndTheHostRolledBack()
    {
        var site = fleet.NewSite(1);
        var environment = Environment(site);
        var deployer = Factory().Create(environment);
        var first = await deployer.DeployAsync(Request(environment, "v3.0.0", new CollectingLog()), CancellationToken.None);
        Assert.True(first.Succeeded, string.Join("\n", first.Hosts.Select(h => h.Error)));
        environment.Deploy.Health!.ExpectBody = "3.0.0";

        var result = await deployer.DeployAsync(Request(environment, "v3.0.1", new CollectingLog()), CancellationToken.None);

        var web1 = Assert.Single(result.Hosts);
        Assert.Equal((false, "v3.0.0"), (web1.Succeeded, web1.Current));
        Assert.Equal(
            $"Deploy of v3.0.1 to web1 (127.0.0.2:{fleet.Port}) failed while checking health; rolled back to v3.0.0.\n"
            + $"Health check of web1 (127.0.0.2:{fleet.Port}) failed after 40 attempts (100 ms apart): GET {site[0].Url}health answered 200 but the body does not contain '3.0.0'.",
            web1.Error);
        Assert.Equal("3.0.0", await FleetSite.ServedAsync(site[0]));
    }

    [Fact]
    public async Task DeployAsync_NoKnownHosts_FailsWithTheSettingToSet()
    {
        var environment = Environment(fleet.NewSite(1));
        environment.Ssh.KnownHosts = null;

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            Factory().Create(environment).DeployAsync(Request(environment, "v3.0.1", new CollectingLog()), CancellationToken.None));

        Assert.Equal(
            "environment production: ssh.known_hosts must be set (a known_hosts file, relative to the environment file, holding the key of every host); Gantry never accepts host keys blindly",
            error.Message);
    }

    [Fact]
    public async Task DeployAsync_UnknownKeyExchangeAlgorithm_FailsBeforeConnectingNamingTheSettingAndTheChoices()
    {
        var environment = Environment(fleet.NewSite(1));
        environment.Ssh.KeyExchange = ["curve25519-sha256", "curve25519-sha999"];

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            Factory().Create(environment).DeployAsync(Request(environment, "v3.0.1", new CollectingLog()), CancellationToken.None));

        Assert.StartsWith("environment production: ssh.key_exchange names unknown algorithm(s) curve25519-sha999; expected some of ", error.Message, StringComparison.Ordinal);
        Assert.Contains("sntrup761x25519-sha512", error.Message, StringComparison.Ordinal);
    }

    private static FleetDeployerFactory Factory() =>
        new ServiceCollection().AddGantryProviders().BuildServiceProvider().GetRequiredService<FleetDeployerFactory>();

    private FleetRequest Request(EnvironmentDefinition environment, string? release, IStepLog log) =>
        new(environment, [.. environment.Hosts.Keys], release, 2, 5, "run-1", fleet.Root, log, new NoSecrets());

    /// <summary>An environment file in &lt;fixture&gt;/env whose paths are relative to it.</summary>
    private EnvironmentDefinition Environment(FleetSite site) => new()
    {
        Id = "production",
        SourcePath = Path.Combine(fleet.Root, "env", "production.yaml"),
        Repository = new RepositorySettings { Url = "../origin.git" },
        LoadBalancer = new LoadBalancerSettings { Provider = LoadBalancerProviders.None },
        Groups = new() { ["a"] = new GroupSettings { Hosts = [.. site.Hosts.Select(h => h.Name)] } },
        Hosts = site.Hosts.ToDictionary(
            h => h.Name,
            h => new HostSettings { Address = h.Host.Address, Root = h.Root, Vars = new() { ["app_port"] = h.AppPort } }),
        Deploy = new DeploySettings
        {
            Source = Engine.Model.ReleaseSource.Clone,
            Restart = $"sh {fleet.BinPath}/restart-app.sh {{{{ host.root }}}} {{{{ host.address }}}} {{{{ host.vars.app_port }}}}",
            Health = new HealthCheckSettings { Url = "http://{{ host.address }}:{{ host.vars.app_port }}/health", Retries = 40, Interval = TimeSpan.FromMilliseconds(100) },
        },
        Ssh = new SshSettings
        {
            User = fleet.User,
            Port = fleet.Port,
            KnownHosts = "../known_hosts",
            KeyFile = "../client_key",
            ConnectTimeout = TimeSpan.FromSeconds(30),
            CommandTimeout = TimeSpan.FromSeconds(60),
        },
    };

    private sealed class NoSecrets : ISecretAccessor
    {
        public SecretMasker Masker { get; } = new();

        public string Get(string name) => throw new KeyNotFoundException(name);
    }

    private sealed class CollectingLog : IStepLog
    {
        public ConcurrentQueue<(string Line, string Stream, string? Host)> Lines { get; } = new();

        public ConcurrentQueue<(string Message, string? Host)> Infos { get; } = new();

        public ConcurrentQueue<(string Message, string? Host)> Warnings { get; } = new();

        public ConcurrentQueue<(int Done, int Total, int Failed)> Progress { get; } = new();

        public void Info(string message, string? host = null) => Infos.Enqueue((message, host));

        public void Warn(string message, string? host = null) => Warnings.Enqueue((message, host));

        public void Output(string line, string stream, string? host = null) => Lines.Enqueue((line, stream, host));

        void IStepLog.Progress(int done, int total, int failed) => Progress.Enqueue((done, total, failed));
    }
}
