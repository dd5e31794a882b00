using Gantry.Engine.Loading;
using Gantry.Providers.Sandbox;

namespace Gantry.Cli.Tests.Commands;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CurrentDirectoryCollection
{
    public const string Name = "current-directory";
}

/// <summary><c>gantry deploy</c> on the sandbox, in a temp workspace holding a copy of the repository's workflows/ as the current directory.</summary>
[Collection(CurrentDirectoryCollection.Name)]
public sealed class DeployCommandTests : IDisposable
{
    private const string StartOnOlderRelease = "\nvars: { sandbox_initial_release: v2.9.0 }\n";
    private readonly TempWorkspace _workspace = new();
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    public DeployCommandTests()
    {
        Copy(Path.Combine(RepositoryTests.Root(), "workflows"), Path.Combine(_workspace.Root, "workflows"));
        File.AppendAllText(Path.Combine(_workspace.Root, "workflows", "environments", "sandbox.yaml"), StartOnOlderRelease);
        Directory.SetCurrentDirectory(_workspace.Root);
    }

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        _workspace.Dispose();
    }

    [Fact]
    public void Deploy_StableToGroup1_ExitsZeroListingEachHostsRelease()
    {
        var result = CliTestApp.Run("deploy", "--env", "sandbox", "--target", "group1", "--ref", "stable", "--allow-live");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = Lines(result.Output);
        Assert.Contains("deploying v3.0.0 (stable) to group1 in sandbox: web1, web2", lines);
        Assert.Contains("2 of 2 hosts done", lines);
        Assert.Contains("✓ web1 on v3.0.0 (was v2.9.0)", lines);
        Assert.Contains("✓ web2 on v3.0.0 (was v2.9.0)", lines);
        Assert.Equal("deployed v3.0.0 to group1: 2 of 2 hosts", lines[^1]);
        Assert.Equal(["v3.0.0", "v3.0.0", "v2.9.0", "v2.9.0"], Fleet().Hosts.Values.Select(h => h.Current));

        // --ref is resolved on origin with ls-remote: the data folder holds no clone of the repository.
        var data = Path.Combine(_workspace.Root, ".gantry");
        Assert.True(Directory.Exists(data));
        Assert.False(Directory.Exists(Path.Combine(data, "git", "sandbox")));
    }

    [Fact]
    public void Deploy_TargetOutRefStable_DeploysOnlyTheGroupTheLoadBalancerHasOut()
    {
        Assert.Equal(0, CliTestApp.Run("lb", "live", "--env", "sandbox", "group2").ExitCode);

        var result = CliTestApp.Run("deploy", "--env", "sandbox", "--target", "out", "--ref", "stable");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = Lines(result.Output);
        Assert.Contains("deploying v3.0.0 (stable) to group1 in sandbox: web1, web2", lines);
        Assert.Contains("✓ web1 on v3.0.0 (was v2.9.0)", lines);
        Assert.Contains("✓ web2 on v3.0.0 (was v2.9.0)", lines);
        Assert.Equal("deployed v3.0.0 to group1: 2 of 2 hosts", lines[^1]);
        var fleet = Fleet();
        Assert.Equal(
            [("web1", "v3.0.0"), ("web2", "v3.0.0"), ("web3", "v2.9.0"), ("web4", "v2.9.0")],
            fleet.Hosts.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => (h.Key, h.Value.Current)));
        Assert.Equal(
            [("web1", "Maint"), ("web2", "Maint"), ("web3", "Ready"), ("web4", "Ready")],
            fleet.Servers.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.Admin.ToString())));
    }

    [Fact]
    public void DeployRollback_AfterADeploy_HostsBackOnThePreviousRelease()
    {
        Assert.Equal(0, CliTestApp.Run("deploy", "--env", "sandbox", "--target", "group1", "--allow-live").ExitCode);

        var result = CliTestApp.Run("deploy", "rollback", "--env", "sandbox", "--target", "group1", "--allow-live");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = Lines(result.Output);
        Assert.Contains("rolling back group1 in sandbox to the previous release: web1, web2", lines);
        Assert.Contains("✓ web1 on v2.9.0 (was v3.0.0)", lines);
        Assert.Contains("✓ web2 on v2.9.0 (was v3.0.0)", lines);
        Assert.Equal("rolled back group1: 2 of 2 hosts", lines[^1]);
        Assert.All(Fleet().Hosts.Values, h => Assert.Equal("v2.9.0", h.Current));
    }

    [Fact]
    public void Deploy_LiveGroupWithoutAllowLive_ExitsTwoAndDeploysNothing()
    {
        var result = CliTestApp.Run("deploy", "--env", "sandbox", "--target", "group2");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: refusing to deploy to group2: it is live in the load balancer (group1 live, group2 live); take it out first or pass --allow-live",
            Lines(result.Output)[^1]);
        Assert.All(Fleet().Hosts.Values, h => Assert.Equal("v2.9.0", h.Current));
    }

    private static List<string> Lines(string output) =>
        output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    private FleetState Fleet()
    {
        var path = Path.Combine(_workspace.Root, "workflows", "environments", "sandbox.yaml");
        var environment = DocumentLoader.LoadEnvironmentFile(path).GetOrThrow();
        return new SandboxFleet(environment, Path.Combine(_workspace.Root, ".gantry")).Read();
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}
