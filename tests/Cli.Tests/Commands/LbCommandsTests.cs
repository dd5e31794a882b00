using System.Text.Json;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry lb</c> against the sandbox load balancer of a throwaway workspace (state under its .gantry/).</summary>
public sealed class LbCommandsTests : IDisposable
{
    private const string Sandbox = """
        id: sandbox
        load_balancer: { provider: sandbox, backend: web, min_live_groups: {0} }
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3, web4] }
        hosts:
          web1: { address: 127.0.0.11 }
          web2: { address: 127.0.0.12 }
          web3: { address: 127.0.0.13 }
          web4: { address: 127.0.0.14 }
        """;

    private readonly TempWorkspace _workspace = new();
    private readonly string _env;
    private readonly string _strictEnv;

    public LbCommandsTests()
    {
        _env = _workspace.Write("workflows/environments/sandbox.yaml", Sandbox.Replace("{0}", "1", StringComparison.Ordinal));
        _strictEnv = _workspace.Write("workflows/environments/strict.yaml", Sandbox.Replace("{0}", "2", StringComparison.Ordinal).Replace("id: sandbox", "id: strict", StringComparison.Ordinal));
    }

    [Fact]
    public void Status_FreshSandbox_PrintsEveryServerLive()
    {
        var result = CliTestApp.Run("lb", "status", "--env", _env);

        Assert.Equal(0, result.ExitCode);
        var rows = result.Output.Split('\n').Where(l => l.Contains("web", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(['│', ' '], StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["group1 live web1 ready up 0 1", "web2 ready up 0 1", "group2 live web3 ready up 0 1", "web4 ready up 0 1"], rows);
    }

    [Fact]
    public void Live_OneGroup_PrintsProgressThenTheOtherGroupIsOut()
    {
        var result = CliTestApp.Run("lb", "live", "--env", _env, "group2");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("lb.live [group2]: taking out web1, web2", result.Output, StringComparison.Ordinal);
        var status = JsonDocument.Parse(CliTestApp.Run("lb", "status", "--env", _env, "--output", "json").Output).RootElement;
        Assert.Equal(["group2"], Names(status, "live"));
        Assert.Equal(["group1"], Names(status, "out"));
    }

    [Fact]
    public void FlipThenAll_AfterLive_SwapsAndRestoresEveryGroup()
    {
        Assert.Equal(0, CliTestApp.Run("lb", "live", "--env", _env, "group2").ExitCode);

        var flip = CliTestApp.Run("lb", "flip", "--env", _env, "--output", "json");
        Assert.Equal(0, flip.ExitCode);
        Assert.Equal(["group1"], Names(JsonDocument.Parse(flip.Output).RootElement, "live"));

        var all = CliTestApp.Run("lb", "all", "--env", _env, "--output", "json");
        Assert.Equal(0, all.ExitCode);
        Assert.Equal(["group1", "group2"], Names(JsonDocument.Parse(all.Output).RootElement, "live"));
    }

    [Fact]
    public void Restore_AfterLive_BringsTheOutGroupBack()
    {
        Assert.Equal(0, CliTestApp.Run("lb", "live", "--env", _env, "group1").ExitCode);

        var result = CliTestApp.Run("lb", "restore", "--env", _env);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("lb.restore group2: bringing live web3, web4", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_BelowMinLiveGroups_PrintsRefusalAndExits1()
    {
        var result = CliTestApp.Run("lb", "live", "--env", _strictEnv, "group2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: refused: lb.live [group2] would leave 1 live group (min_live_groups is 2): group1 would be out", result.Output.Trim());
    }

    [Fact]
    public void Flip_WithEveryGroupLive_PrintsWhyAndExits1()
    {
        var result = CliTestApp.Run("lb", "flip", "--env", _env);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: lb.flip needs exactly one live and one out group, found: group1 is live, group2 is live", result.Output.Trim());
    }

    [Fact]
    public void Status_UnknownEnvironment_Exits2()
    {
        var result = CliTestApp.Run("lb", "status", "--env", "nowhere");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: environment 'nowhere' not found", result.Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkflowDrainingTheOnlyLiveGroup_ReportsCapacityProblem()
    {
        var workflow = _workspace.Write("workflows/t.yaml", """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - uses: lb.drain
                with: { host: web3 }
            """);

        var result = CliTestApp.Run("validate", workflow, "--env", _env);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("steps[1]: lb.drain host: web3 would leave 0 live groups (min_live_groups is 1 in environment sandbox): group1 is out since steps[0], group2 would lose web3", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WorkflowFlippingWithNoGroupOut_RefusesWithCapacityProblem()
    {
        var workflow = _workspace.Write("workflows/f.yaml", """
            id: f
            steps:
              - uses: lb.flip
            """);

        var result = CliTestApp.Run("plan", workflow, "--env", _env);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("steps[0]: lb.flip would fail: it needs exactly one live and one out group, but here group1 is live, group2 is live", result.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _workspace.Dispose();

    private static List<string?> Names(JsonElement status, string state) =>
        status.GetProperty(state).EnumerateArray().Select(e => e.GetString()).ToList();
}
