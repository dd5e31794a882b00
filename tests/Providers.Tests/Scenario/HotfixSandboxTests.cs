using Gantry.Engine.Runtime;
using Gantry.Providers.Git;
using Gantry.Providers.Sandbox;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Scenario;

public sealed class HotfixSandboxTests
{
    [Fact]
    public async Task Hotfix_Sandbox_WaitsForMergedPullRequestThenTagsAndRollsOut()
    {
        using var harness = new SandboxHarness();
        var run = await harness.StartAsync("hotfix", "sandbox", new Dictionary<string, object?> { ["version"] = "3.0.1" });

        var waiting = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal("a pull request merged into hotfix/3.0.1 with its checks passed (signal 'pull_request')", waiting.Message);

        // A pull request into another branch does not resume the run, nor does the merge before its checks passed.
        await harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(GitHubEvents.PullRequestMerged("develop")), "github", CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, (await harness.Engine.RunAsync(run.Id, CancellationToken.None)).Status);
        await harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(GitHubEvents.PullRequestMerged("hotfix/3.0.1")), "github", CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, (await harness.Engine.RunAsync(run.Id, CancellationToken.None)).Status);

        await harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(GitHubEvents.Status(GitHubEvents.HeadSha, "success")), "github", CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var fleet = harness.Fleet();
        Assert.All(fleet.Hosts.Values, h => Assert.Equal("v3.0.1", h.Current));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        var origin = Path.Combine(harness.DataDirectory, "sandbox", "origin.git");
        var tags = await new GitCommandRunner().RunAsync(origin, ["tag", "--list", "v3.0.1"], CancellationToken.None);
        Assert.Equal("v3.0.1", tags.StandardOutput.Trim());
        var version = await new GitCommandRunner().RunAsync(origin, ["show", "production:opensky/config/version.ini"], CancellationToken.None);
        Assert.Equal(SandboxOrigin.VersionIni("3.0.1"), version.StandardOutput);
        Assert.Contains("\nopensky.version = 3.0.1\n", version.StandardOutput, StringComparison.Ordinal);
        var journal = await harness.JournalAsync(run.Id);
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "start"));
    }
}
