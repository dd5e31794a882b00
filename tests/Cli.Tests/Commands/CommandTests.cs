using System.Text.Json;

namespace Gantry.Cli.Tests.Commands;

public sealed class CommandTests : IDisposable
{
    private const string Environment = """
        id: prod
        groups:
          group1: { hosts: [web1] }
          group2: { hosts: [web2] }
        hosts:
          web1: { address: 10.0.0.1 }
          web2: { address: 10.0.0.2 }
        secrets:
          db_password: { value: hunter2-secret }
        """;

    private const string Deploy = """
        id: deploy
        inputs:
          ref: { type: string, default: stable }
        steps:
          - id: tag
            uses: test.latest-tag
            with: { ref: "{{ inputs.ref }}" }
          - uses: deploy.test-release
            with: { target: out, tag: "{{ steps.tag.outputs.tag }}", password: "{{ secrets.db_password }}" }
          - uses: lb.test-flip
          - uses: deploy.test-release
            with: { target: group1, tag: "{{ steps.tag.outputs.tag }}", password: "{{ secrets.db_password }}" }
        """;

    private const string Broken = """
        id: broken
        steps:
          - uses: lb.test-flp
          - uses: deploy.test-release
            with: { target: group3, tag: v1 }
        """;

    private readonly TempWorkspace _workspace = new();

    public CommandTests()
    {
        _workspace.Write("workflows/environments/prod.yaml", Environment);
        _workspace.Write("workflows/deploy.yaml", Deploy);
    }

    public void Dispose() => _workspace.Dispose();

    private string Workflows => Path.Combine(_workspace.Root, "workflows");

    [Fact]
    public void Validate_ValidFolder_ExitsZeroWithSummary()
    {
        var result = CliTestApp.Run("validate", Workflows, "--env", "prod");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("2 documents valid", result.Output.Trim());
    }

    [Fact]
    public void Validate_InvalidDocument_PrintsSourceLineWithCaretAndExitsOne()
    {
        var broken = _workspace.Write("workflows/broken.yaml", Broken);

        var result = CliTestApp.Run("validate", broken, "--env", Path.Combine(Workflows, "environments", "prod.yaml"));

        Assert.Equal(1, result.ExitCode);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains($"error {broken}:3:11 steps[0].uses: unknown activity 'lb.test-flp' (did you mean 'lb.test-flip'?)", lines);
        var caret = lines.IndexOf("3 |   - uses: lb.test-flp");
        Assert.True(caret > 0, result.Output);
        Assert.Equal("  |           ^ unknown activity 'lb.test-flp' (did you mean 'lb.test-flip'?)", lines[caret + 1]);
        Assert.Contains($"error {broken}:5:21 steps[1].with.target: unknown group 'group3' (environment prod has: group1, group2; or one of out, live, all)", lines);
        Assert.Equal("1 document of 1 invalid, 2 errors", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Validate_EnvironmentWhoseSshHostIsNoHost_PrintsTheLocatedErrorWithCaretAndExitsOne()
    {
        var edge = _workspace.Write("workflows/environments/edge.yaml", """
            id: edge
            load_balancer:
              provider: nginx
              config_file: /etc/nginx/upstream.conf
              ssh_host: lb2
            hosts:
              web1: { address: 10.0.0.1 }
              lb1: { address: 10.0.0.9 }
            groups:
              group1: { hosts: [web1] }
            """);

        var result = CliTestApp.Run("validate", edge);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            $"""
            error {edge}:5:13 load_balancer.ssh_host: unknown host 'lb2' (did you mean 'lb1'?) (environment edge has: web1, lb1); ssh_host names the host under hosts: that runs nginx
            5 |   ssh_host: lb2
              |             ^ unknown host 'lb2' (did you mean 'lb1'?) (environment edge has: web1, lb1); ssh_host names the host under hosts: that runs nginx

            1 document of 1 invalid, 1 error
            """,
            string.Join('\n', result.Output.Split('\n').Select(l => l.TrimEnd())).Trim());
    }

    [Fact]
    public void Validate_JsonOutput_ListsEveryError()
    {
        var broken = _workspace.Write("workflows/broken.yaml", Broken);

        var result = CliTestApp.Run("validate", broken, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var error = json.RootElement.GetProperty("documents")[0].GetProperty("errors")[0];
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Equal(11, error.GetProperty("column").GetInt32());
        Assert.Equal("steps[0].uses", error.GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("validate", "no/such/path.yaml")]
    [InlineData("validate", ".", "--no-such-option")]
    [InlineData("validate", ".", "--output", "xml")]
    [InlineData("plan")]
    [InlineData("plan", "no-such-workflow")]
    [InlineData("frobnicate")]
    public void Run_BadUsage_ExitsTwo(params string[] args)
    {
        Assert.Equal(2, CliTestApp.Run(args).ExitCode);
    }

    [Fact]
    public void Plan_Workflow_PrintsTreeInOrderWithTargetsAndMaskedSecrets()
    {
        var result = CliTestApp.Run("plan", Path.Combine(Workflows, "deploy.yaml"), "--env", "prod", "--input", "ref=v3.0.1");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("hunter2-secret", result.Output, StringComparison.Ordinal);
        Assert.Contains("password: ***", result.Output, StringComparison.Ordinal);
        Assert.Contains("ref: v3.0.1", result.Output, StringComparison.Ordinal);
        Assert.Contains("target: the group the load balancer reports out — resolved at run time", result.Output, StringComparison.Ordinal);
        Assert.Contains("target: group group1: web1", result.Output, StringComparison.Ordinal);
        Assert.Contains("tag: (resolved at run time)", result.Output, StringComparison.Ordinal);
        var order = new[] { "tag test.latest-tag", "deploy.test-release", "lb.test-flip" }.Select(s => result.Output.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public void Plan_JsonOutput_GivesTheSameTreeWithoutSecrets()
    {
        var result = CliTestApp.Run("plan", Path.Combine(Workflows, "deploy.yaml"), "--env", "prod", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("hunter2-secret", result.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Output);
        var steps = json.RootElement.GetProperty("steps");
        Assert.Equal(4, steps.GetArrayLength());
        Assert.Equal("stable", steps[0].GetProperty("inputs").GetProperty("ref").GetString());
        Assert.Equal("***", steps[3].GetProperty("inputs").GetProperty("password").GetString());
    }

    [Fact]
    public void Plan_InvalidWorkflow_PrintsErrorsAndExitsOne()
    {
        var broken = _workspace.Write("workflows/broken.yaml", Broken);

        var result = CliTestApp.Run("plan", broken, "--env", "prod");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unknown group 'group3'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BadInputValue_ExitsOne()
    {
        var result = CliTestApp.Run("plan", Path.Combine(Workflows, "deploy.yaml"), "--input", "nope=1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--input nope: workflow 'deploy' has no input 'nope'; it declares: ref", result.Output, StringComparison.Ordinal);
    }
}
