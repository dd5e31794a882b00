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

        var origin = Path.Combine(harness.DataDirectory, "sandbox", "origin.git");
        var waiting = await harness.Engine.RunAsync(run.Id, CancellationToken.None);
        var bump = (await new GitCommandRunner().RunAsync(origin, ["rev-parse", "hotfix/3.0.1"], CancellationToken.None)).StandardOutput.Trim();
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal($"a pull request merged into hotfix/3.0.1 (now at {bump}), approved by pr-nightmare, with its checks passed (signal 'pull_request')", waiting.Message);

        async Task<RunStatus> SendAsync(string json)
        {
            await harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(json), "github:teammate", CancellationToken.None);
            return (await harness.Engine.RunAsync(run.Id, CancellationToken.None)).Status;
        }

        // A pull request into another branch does not resume the run, nor does a merge origin does not have.
        Assert.Equal(RunStatus.Waiting, await SendAsync(GitHubEvents.PullRequestMerged("develop")));
        Assert.Equal(RunStatus.Waiting, await SendAsync(GitHubEvents.PullRequestMerged("hotfix/3.0.1")));

        // The real merge on origin; then its check, then the bot's +1 of its head.
        var merge = await OriginMerges.MergeFixAsync(origin, "hotfix/3.0.1");
        Assert.Equal(RunStatus.Waiting, await SendAsync(GitHubEvents.PullRequestMerged("hotfix/3.0.1", headSha: merge.HeadCommit, mergeSha: merge.MergeCommit)));
        Assert.Equal(RunStatus.Waiting, await SendAsync(GitHubEvents.Status(merge.HeadCommit, "success")));
        Assert.Equal(RunStatus.Succeeded, await SendAsync(GitHubEvents.Review("hotfix/3.0.1", "pr-nightmare", "approved", merge.HeadCommit)));
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var fleet = harness.Fleet();
        Assert.All(fleet.Hosts.Values, h => Assert.Equal("v3.0.1", h.Current));
        Assert.Equal(1, fleet.MinLiveGroupsSeen);
        var tags = await new GitCommandRunner().RunAsync(origin, ["tag", "--list", "v3.0.1"], CancellationToken.None);
        Assert.Equal("v3.0.1", tags.StandardOutput.Trim());
        var version = await new GitCommandRunner().RunAsync(origin, ["show", "production:opensky/config/version.ini"], CancellationToken.None);
        Assert.Equal(SandboxOrigin.VersionIni("3.0.1"), version.StandardOutput);
        Assert.Contains("\nopensky.version = 3.0.1\n", version.StandardOutput, StringComparison.Ordinal);
        var journal = await harness.JournalAsync(run.Id);
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "start"));
        Assert.Contains(journal, e => e.Type == JournalEventTypes.Log && e.Message == $"refused pull request #7 (fix-the-bug) reported merged into hotfix/3.0.1 by github:teammate: origin contradicts it: merge commit {GitHubEvents.MergeSha} does not exist on origin");
        Assert.True((await new GitCommandRunner().TryRunAsync(origin, ["merge-base", "--is-ancestor", merge.HeadCommit, "v3.0.1"], CancellationToken.None)).ExitCode == 0, "the tag holds the merged fix");
    }
}
