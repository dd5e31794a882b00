using System.Text.Json;
using Gantry.Engine.Model;
using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

public class MergeGateTests
{
    private const string Branch = "hotfix/3.0.1";
    private const string OtherSha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    private static readonly RepositorySettings OpenSky = new() { Url = "git@github.com:opensky/opensky.git" };

    private static MergeGateDecision Decide(bool requireChecks, IReadOnlyList<string>? checks, params string[] events) =>
        MergeGate.Decide(events.Select(e => JsonDocument.Parse(e).RootElement.Clone()), new MergeGateOptions(Branch, requireChecks, checks ?? [], OpenSky));

    [Fact]
    public void Decide_MergeThenPassingCheckSuite_Passes()
    {
        var decision = Decide(true, null, GitHubEvents.PullRequestMerged(Branch), GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));

        var passed = Assert.IsType<MergeGateDecision.Passed>(decision);
        Assert.Equal(new PullRequestMerge(7, "fix-the-bug", GitHubEvents.MergeSha, "teammate", GitHubEvents.HeadSha), passed.Merge);
        Assert.Equal(["GitHub Actions"], passed.Checks);
    }

    [Fact]
    public void Decide_PassingStatusBeforeMerge_Passes()
    {
        var decision = Decide(true, null, GitHubEvents.Status(GitHubEvents.HeadSha, "success"), GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(["ci/test-bot"], Assert.IsType<MergeGateDecision.Passed>(decision).Checks);
    }

    [Fact]
    public void Decide_MergeWithoutChecks_WaitsNamingTheHeadCommit()
    {
        var decision = Decide(true, null, GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(
            new MergeGateDecision.Waiting($"pull request #7 (fix-the-bug) merged into hotfix/3.0.1; waiting for a successful check suite or status on its head commit {GitHubEvents.HeadSha}"),
            decision);
    }

    [Fact]
    public void Decide_ChecksWithoutMerge_Waits()
    {
        var decision = Decide(true, null, GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));

        Assert.Equal(new MergeGateDecision.Waiting("no pull request merged into hotfix/3.0.1 yet"), decision);
    }

    [Fact]
    public void Decide_FailedCheckSuite_FailsNamingTheCheckAndCommit()
    {
        var decision = Decide(true, null, GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "failure"), GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(
            new MergeGateDecision.Failed($"check 'GitHub Actions' failed (failure) on commit {GitHubEvents.HeadSha}, the head of pull request #7 (fix-the-bug) merged into hotfix/3.0.1; the merged code did not pass its required checks"),
            decision);
    }

    [Fact]
    public void Decide_CheckOnAnotherCommit_IsIgnored()
    {
        var decision = Decide(true, null, GitHubEvents.PullRequestMerged(Branch), GitHubEvents.CheckSuiteCompleted(OtherSha, "success"), GitHubEvents.Status(OtherSha, "failure"));

        Assert.IsType<MergeGateDecision.Waiting>(decision);
    }

    [Fact]
    public void Decide_ChecksNotRequired_PassesOnMergeAlone()
    {
        var decision = Decide(false, null, GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(7, Assert.IsType<MergeGateDecision.Passed>(decision).Merge.Number);
    }

    [Fact]
    public void Decide_NamedChecks_WaitsUntilEachPassedAndIgnoresOthers()
    {
        string[] named = ["ci/test-bot", "github-actions"];
        var merge = GitHubEvents.PullRequestMerged(Branch);
        var otherAppFailed = GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "failure", app: "Codecov", slug: "codecov");
        var bot = GitHubEvents.Status(GitHubEvents.HeadSha, "success");

        var partly = Decide(true, named, merge, otherAppFailed, bot);
        var fully = Decide(true, named, merge, otherAppFailed, bot, GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));

        Assert.Equal(
            new MergeGateDecision.Waiting($"pull request #7 (fix-the-bug) merged into hotfix/3.0.1; waiting for successful 'github-actions' on its head commit {GitHubEvents.HeadSha}"),
            partly);
        Assert.Equal(["ci/test-bot", "GitHub Actions"], Assert.IsType<MergeGateDecision.Passed>(fully).Checks);
    }

    [Fact]
    public void Decide_RerunPassesAfterAFailure_LatestResultCounts()
    {
        var decision = Decide(true, null, GitHubEvents.Status(GitHubEvents.HeadSha, "failure"), GitHubEvents.Status(GitHubEvents.HeadSha, "success"), GitHubEvents.PullRequestMerged(Branch));

        Assert.IsType<MergeGateDecision.Passed>(decision);
    }

    [Fact]
    public void Decide_EventsOfAnotherRepository_AreIgnored()
    {
        var decision = Decide(false, null, GitHubEvents.PullRequestMerged(Branch, repository: "someone/fork"));

        Assert.Equal(new MergeGateDecision.Waiting("no pull request merged into hotfix/3.0.1 yet"), decision);
    }
}
