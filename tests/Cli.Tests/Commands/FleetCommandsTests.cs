using System.Text.Json;
using Gantry.Engine.Loading;
using Gantry.Providers.Sandbox;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry status</c> and <c>gantry rollback</c> on the sandbox, in a temp workspace holding a copy of the repository's workflows/ as the current directory.</summary>
[Collection(CurrentDirectoryCollection.Name)]
public sealed class FleetCommandsTests : IDisposable
{
    private const string StartOnOlderRelease = "\nvars: { sandbox_initial_release: v2.9.0 }\n";
    private readonly TempWorkspace _workspace = new();
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    public FleetCommandsTests()
    {
        _workspace.CopyFromRepository("workflows");
        File.AppendAllText(Path.Combine(_workspace.Root, "workflows", "environments", "sandbox.yaml"), StartOnOlderRelease);
        Directory.SetCurrentDirectory(_workspace.Root);
    }

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        _workspace.Dispose();
    }

    [Fact]
    public void StatusJson_AfterADeployToGroup1_ShowsEachHostsReleasesAndTheLoadBalancer()
    {
        Assert.Equal(0, CliTestApp.Run("deploy", "--env", "sandbox", "--target", "group1", "--allow-live").ExitCode);

        var result = CliTestApp.Run("status", "--env", "sandbox", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Output);
        var status = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("sandbox", status.GetProperty("environment").GetString());
        var hosts = status.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("hosts").EnumerateArray().Select(h =>
            $"{g.GetProperty("name").GetString()} {g.GetProperty("state").GetString()} {h.GetProperty("name").GetString()} {h.GetProperty("current").GetString()} "
            + $"[{string.Join(",", h.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("name").GetString()))}] "
            + $"healthy={h.GetProperty("healthy").GetBoolean()} live={h.GetProperty("balancer").GetProperty("live").GetBoolean()}"));
        Assert.Equal(
            [
                "group1 live web1 v3.0.0 [v3.0.0,v2.9.0] healthy=True live=True",
                "group1 live web2 v3.0.0 [v3.0.0,v2.9.0] healthy=True live=True",
                "group2 live web3 v2.9.0 [v2.9.0] healthy=True live=True",
                "group2 live web4 v2.9.0 [v2.9.0] healthy=True live=True",
            ],
            hosts);
        var web1 = status.GetProperty("groups")[0].GetProperty("hosts")[0];
        Assert.Equal("deploy", web1.GetProperty("releases")[0].GetProperty("action").GetString());
        Assert.StartsWith("cli-", web1.GetProperty("releases")[0].GetProperty("run").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StatusText_AfterARollingDeploy_OneRowPerHostWithTheRunThatDeployedIt()
    {
        var rollout = CliTestApp.Run("run", "rolling-deploy", "--env", "sandbox");
        Assert.True(rollout.ExitCode == 0, rollout.Output);
        var runId = Lines(rollout.Output)[^1].Split(' ')[1];

        var result = CliTestApp.Run("status", "--env", "sandbox");

        Assert.True(result.ExitCode == 0, result.Output);
        var rows = Lines(result.Output).Where(l => l.Contains("web", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count(r => r.Contains($"> v3.0.0", StringComparison.Ordinal) && r.Contains($"deploy by {runId}", StringComparison.Ordinal)));
        Assert.Equal(4, rows.Count(r => r.Contains("live ready/up, 0 sessions", StringComparison.Ordinal)));
    }

    [Fact]
    public void Rollback_AfterARollingDeploy_RunsTheRollbackWorkflowAndEveryHostIsBack()
    {
        Assert.Equal(0, CliTestApp.Run("run", "rolling-deploy", "--env", "sandbox").ExitCode);

        var result = CliTestApp.Run("rollback", "--env", "sandbox");

        Assert.True(result.ExitCode == 0, result.Output);
        var lines = Lines(result.Output);
        Assert.Matches(@"^run \S+ succeeded$", lines[^1]);
        Assert.Contains("rollback goes to v2.9.0", lines);
        Assert.All(Fleet().Hosts.Values, h => Assert.Equal("v2.9.0", h.Current));
        Assert.Equal(1, Fleet().MinLiveGroupsSeen);
    }

    [Fact]
    public void Rollback_ToAReleaseNoHostKeeps_ExitsOneNamingTheHostsAndTouchesNothing()
    {
        Assert.Equal(0, CliTestApp.Run("run", "rolling-deploy", "--env", "sandbox").ExitCode);

        var result = CliTestApp.Run("rollback", "--env", "sandbox", "--to", "v1.0.0");

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith(
            "failed: step check (steps[0]) failed: refusing to roll back sandbox to v1.0.0: web1, web2, web3, web4 no longer have it (web1 keeps v3.0.0, v2.9.0; web2 keeps v3.0.0, v2.9.0; web3 keeps v3.0.0, v2.9.0; web4 keeps v3.0.0, v2.9.0); nothing was changed. To clone it again on those hosts: gantry rollback --env sandbox --to v1.0.0 --fetch",
            string.Join(' ', Lines(result.Output).SkipWhile(l => !l.StartsWith("run ", StringComparison.Ordinal) || !l.Contains("failed", StringComparison.Ordinal))));
        Assert.All(Fleet().Hosts.Values, h => Assert.Equal("v3.0.0", h.Current));
    }

    [Fact]
    public void Rollback_WithoutEnv_ExitsTwoSayingWhatIsMissing()
    {
        var result = CliTestApp.Run("rollback");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--env is required: the environment to roll back, e.g. --env prod", result.Output, StringComparison.Ordinal);
    }

    private static List<string> Lines(string output) =>
        output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    private FleetState Fleet()
    {
        var path = Path.Combine(_workspace.Root, "workflows", "environments", "sandbox.yaml");
        var environment = DocumentLoader.LoadEnvironmentFile(path).GetOrThrow();
        return new SandboxFleet(environment, Path.Combine(_workspace.Root, ".gantry")).Read();
    }
}
