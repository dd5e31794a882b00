using Gantry.Providers.Sandbox;
using Gantry.Engine.Runtime;
using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>
/// The repository's daily-release and hotfix without a typed version on the sandbox origin
/// (v3.0.0 released; decoys v3.1.0-rc1 and nightly-build): the version step computes it from
/// the tags, and a given version that is not above the newest release stops the run before a
/// branch is created.
/// </summary>
public sealed class ComputedVersionSandboxTests
{
    [Theory]
    [InlineData("daily-release", "3.1.0", "release/3.1.0")]
    [InlineData("hotfix", "3.0.1", "hotfix/3.0.1")]
    public async Task Release_NoVersionGiven_ComputesItAndOpensTheBranch(string workflow, string version, string branch)
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync(workflow, "sandbox");

        var waiting = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        var pushedAt = (await new GitCommandRunner().RunAsync(Origin(harness), ["rev-parse", branch], CancellationToken.None)).StandardOutput.Trim();
        Assert.Equal($"a pull request merged into {branch} (now at {pushedAt}), approved by pr-nightmare, with its checks passed (signal 'pull_request')", waiting.Message);
        var journal = await harness.JournalAsync(run.Id);
        var computed = Assert.Single(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "version").Outputs;
        Assert.Equal(new Dictionary<string, object?> { ["version"] = version, ["tag"] = "v" + version, ["previous"] = "v3.0.0" }, computed);
        var pushed = await new GitCommandRunner().RunAsync(Origin(harness), ["show", $"{branch}:opensky/config/version.ini"], CancellationToken.None);
        Assert.Equal(SandboxOrigin.VersionIni(version), pushed.StandardOutput);
    }

    [Fact]
    public async Task Hotfix_VersionAlreadyReleased_FailsBeforeABranchIsCreated()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("hotfix", "sandbox", new Dictionary<string, object?> { ["version"] = "3.0.0" });

        var failed = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("version '3.0.0' is not above the newest stable release v3.0.0: give a higher version, or none to get 3.0.1", failed.Message, StringComparison.Ordinal);
        var journal = await harness.JournalAsync(run.Id);
        Assert.DoesNotContain(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "start");
        var branches = await new GitCommandRunner().RunAsync(Origin(harness), ["branch", "--list", "hotfix/*"], CancellationToken.None);
        Assert.Equal("", branches.StandardOutput.Trim());
    }

    private static string Origin(SandboxHarness harness) => Path.Combine(harness.DataDirectory, "sandbox", "origin.git");
}
