namespace Gantry.Cli.Tests.Commands;

/// <summary>
/// The repository's deploy-testing on a testing environment copied from the sandbox, which has no
/// vars.smoke_url: validate --env, plan and run refuse it up front with a located error, instead of
/// the run failing at the smoke step after the whole rolling deploy.
/// </summary>
public sealed class EnvironmentReferenceTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public EnvironmentReferenceTests()
    {
        _workspace.CopyFromRepository("workflows");
        var sandbox = File.ReadAllText(Path.Combine(_workspace.Root, "workflows", "environments", "sandbox.yaml"));
        _workspace.Write("workflows/environments/testing-copy.yaml", sandbox.Replace("id: sandbox", "id: testing-copy", StringComparison.Ordinal));
    }

    public void Dispose() => _workspace.Dispose();

    private string DeployTesting => Path.Combine(_workspace.Root, "workflows", "deploy-testing.yaml");

    private string ExpectedError => $"error {DeployTesting}:31:22 steps[2].with.url: environment 'testing-copy' has no 'vars.smoke_url'; its vars is empty";

    [Fact]
    public void Validate_EnvironmentWithoutTheVar_ExitsOneNamingTheKeyWhereItIsRead()
    {
        var result = CliTestApp.Run("validate", DeployTesting, "--env", "testing-copy");

        Assert.Equal(1, result.ExitCode);
        var lines = Lines(result.Output);
        Assert.Contains(ExpectedError, lines);
        Assert.Equal("1 document of 1 invalid, 1 error", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Validate_EnvironmentWithTheVar_IsValid()
    {
        _workspace.Write("workflows/environments/testing-copy.yaml",
            File.ReadAllText(Path.Combine(_workspace.Root, "workflows", "environments", "testing-copy.yaml")) + "vars:\n  smoke_url: http://127.0.0.11:8080/\n");

        var result = CliTestApp.Run("validate", DeployTesting, "--env", "testing-copy");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("1 document valid", result.Output.Trim());
    }

    [Fact]
    public void Plan_EnvironmentWithoutTheVar_Refuses()
    {
        var result = CliTestApp.Run("plan", DeployTesting, "--env", "testing-copy");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(ExpectedError, Lines(result.Output));
    }

    [Fact]
    public void Run_EnvironmentWithoutTheVar_CreatesNoRunAndTouchesNoHost()
    {
        var result = CliTestApp.Run("run", "deploy-testing", "--env", "testing-copy", "--workspace", _workspace.Root);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(ExpectedError, Lines(result.Output));
        Assert.False(Directory.Exists(Path.Combine(_workspace.Root, ".gantry", "sandbox")), "the sandbox fleet was touched");
        var runs = CliTestApp.Run("runs", "list", "--workspace", _workspace.Root);
        Assert.DoesNotContain(Lines(runs.Output), l => l.Contains("deploy-testing", StringComparison.Ordinal));
    }

    private static List<string> Lines(string output) => output.Split('\n').Select(l => l.TrimEnd()).ToList();
}
