using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Providers.Tests.Fixtures;
using Gantry.Providers.Tests.Scenario;

namespace Gantry.Providers.Tests.Git;

/// <summary>
/// git.wait-merged against a real origin: a merge is accepted only when origin has it on the branch
/// with the head's changes in it, and only with the reviewers' approval of the head and its check.
/// </summary>
public sealed class GitWaitMergedOnOriginTests : IAsyncLifetime
{
    private const string Branch = "hotfix/3.0.1";
    private const string Bot = "pr-nightmare";
    private readonly SandboxHarness _harness = new();
    private GitScenarioFixture _scenario = null!;

    public async Task InitializeAsync()
    {
        _scenario = await GitScenarioFixture.CreateAsync();
        await _scenario.GitAsync(_scenario.DeveloperPath, "push", "-q", "origin", $"origin/production:refs/heads/{Branch}");
    }

    public Task DisposeAsync()
    {
        _harness.Dispose();
        _scenario.Dispose();
        return Task.CompletedTask;
    }

    private async Task<RunRecord> StartAsync()
    {
        var environmentText = $"""
            id: origin
            repository: {"{"} url: "{_scenario.OriginPath}" {"}"}
            load_balancer: {"{"} provider: none {"}"}
            """;
        var workflow = DocumentLoader.LoadWorkflow($$"""
            id: review
            steps:
              - id: review
                uses: git.wait-merged
                with: { branch: {{Branch}}, require_checks: true, checks: [ci/test-bot], reviewers: [{{Bot}}] }
            """, "review.yaml").GetOrThrow();
        var environment = DocumentLoader.LoadEnvironment(environmentText, "origin.yaml").GetOrThrow();
        var run = await _harness.Engine.StartAsync(new StartRunRequest { Workflow = workflow, Environment = environment, EnvironmentText = environmentText }, CancellationToken.None);
        var waiting = await _harness.Engine.RunAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Equal(
            $"a pull request merged into {Branch} (now at {await _scenario.OriginRevAsync(Branch)}), approved by {Bot}, with its checks passed (ci/test-bot) (signal 'pull_request')",
            waiting.Message);
        return run;
    }

    private async Task<RunRecord> SendAsync(RunRecord run, params string[] events)
    {
        foreach (var json in events)
        {
            await _harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(json), "github:teammate", CancellationToken.None);
        }

        return await _harness.Engine.RunAsync(run.Id, CancellationToken.None);
    }

    private async Task<List<string>> LogAsync(RunRecord run) =>
        [.. (await _harness.JournalAsync(run.Id)).Where(e => e.Type == JournalEventTypes.Log).Select(e => e.Message!)];

    private async Task<IDictionary<string, object?>> OutputsAsync(RunRecord run) =>
        (IDictionary<string, object?>)(await _harness.JournalAsync(run.Id)).Single(e => e.Type == JournalEventTypes.StepSucceeded).Outputs!;

    /// <summary>The head's passing check and the bot's +1 of it: everything but the merge.</summary>
    private static string[] CheckedAndApproved(string head) => [GitHubEvents.Status(head, "success"), GitHubEvents.Review(Branch, Bot, "approved", head)];

    [Fact]
    public async Task WaitMerged_MergeCommitNotOnTheBranch_IsRefusedJournaledAndKeepsWaiting()
    {
        var run = await StartAsync();
        var unmerged = await OriginMerges.PushUnmergedFixAsync(_scenario.OriginPath, Branch);
        var tip = await _scenario.OriginRevAsync(Branch);

        var afterForgery = await SendAsync(run, [GitHubEvents.PullRequestMerged(Branch, headSha: unmerged, mergeSha: unmerged), .. CheckedAndApproved(unmerged)]);

        Assert.Equal(RunStatus.Waiting, afterForgery.Status);
        Assert.Contains(
            $"refused pull request #7 (fix-the-bug) reported merged into {Branch} by github:teammate: origin contradicts it: merge commit {unmerged} is not on origin's {Branch} (at {tip}), nor is a commit with its tree",
            await LogAsync(run));
        Assert.Contains(
            $"still waiting: no pull request merged into {Branch} yet that origin confirms; refused: #7: merge commit {unmerged} is not on origin's {Branch} (at {tip}), nor is a commit with its tree",
            await LogAsync(run));
        Assert.Equal(tip, await _scenario.OriginRevAsync(Branch));
    }

    [Fact]
    public async Task WaitMerged_MergeCommitOriginHasNever_IsRefusedAndKeepsWaiting()
    {
        var run = await StartAsync();

        var afterForgery = await SendAsync(run, [GitHubEvents.PullRequestMerged(Branch), .. CheckedAndApproved(GitHubEvents.HeadSha)]);

        Assert.Equal(RunStatus.Waiting, afterForgery.Status);
        Assert.Contains(
            $"refused pull request #7 (fix-the-bug) reported merged into {Branch} by github:teammate: origin contradicts it: merge commit {GitHubEvents.MergeSha} does not exist on origin",
            await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_RealMergeWithCheckAndApproval_Succeeds()
    {
        var run = await StartAsync();
        var merge = await OriginMerges.MergeFixAsync(_scenario.OriginPath, Branch);

        var afterMerge = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch, headSha: merge.HeadCommit, mergeSha: merge.MergeCommit));
        var afterCheck = await SendAsync(run, GitHubEvents.Status(merge.HeadCommit, "success"));
        var afterApproval = await SendAsync(run, GitHubEvents.Review(Branch, Bot, "approved", merge.HeadCommit));

        Assert.Equal([RunStatus.Waiting, RunStatus.Waiting, RunStatus.Succeeded], new[] { afterMerge.Status, afterCheck.Status, afterApproval.Status });
        Assert.Contains($"still waiting: pull request #7 (fix-the-bug) merged into {Branch}; waiting for an approving review by {Bot} on its head commit {merge.HeadCommit}", await LogAsync(run));
        var outputs = await OutputsAsync(run);
        Assert.Equal((merge.MergeCommit, merge.HeadCommit, "github:teammate"), (outputs["merge_commit"], outputs["head_commit"], outputs["reported_by"]));
        Assert.Equal([Bot], (IEnumerable<object?>)outputs["approved_by"]!);
        Assert.Contains(
            $"pull request #7 (fix-the-bug) merged into {Branch} by teammate, reported by github:teammate; origin has merge commit {merge.MergeCommit[..7]} on {Branch}; approved by {Bot}; checks passed on {merge.HeadCommit[..7]}: ci/test-bot",
            await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_SquashMerge_IsAcceptedAsTheHeadsChangesAreOnTheBranch()
    {
        var run = await StartAsync();
        var squash = await OriginMerges.SquashFixAsync(_scenario.OriginPath, Branch);

        var finished = await SendAsync(run, [GitHubEvents.PullRequestMerged(Branch, headSha: squash.HeadCommit, mergeSha: squash.MergeCommit), .. CheckedAndApproved(squash.HeadCommit)]);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.False(await _scenario.OriginIsAncestorAsync(squash.HeadCommit, Branch));
        Assert.Equal(squash.MergeCommit, (await OutputsAsync(run))["merge_commit"]);
    }

    [Fact]
    public async Task WaitMerged_HeadNotInTheBranch_IsRefused()
    {
        var run = await StartAsync();
        var merge = await OriginMerges.MergeFixAsync(_scenario.OriginPath, Branch);
        var other = await OriginMerges.PushUnmergedFixAsync(_scenario.OriginPath, "develop");

        // The merge commit is real, but the head it names (and the checks and approval for it) is another branch's.
        var forged = await SendAsync(run, [GitHubEvents.PullRequestMerged(Branch, headSha: other, mergeSha: merge.MergeCommit), .. CheckedAndApproved(other)]);

        Assert.Equal(RunStatus.Waiting, forged.Status);
        Assert.Contains(
            $"refused pull request #7 (fix-the-bug) reported merged into {Branch} by github:teammate: origin contradicts it: the changes of head commit {other} are not in origin's {Branch} (at {merge.MergeCommit})",
            await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_ApprovalWithdrawnByChangesRequestedOrDismissal_KeepsWaitingUntilApprovedAgain()
    {
        var run = await StartAsync();
        var merge = await OriginMerges.MergeFixAsync(_scenario.OriginPath, Branch);
        await SendAsync(run, GitHubEvents.PullRequestMerged(Branch, headSha: merge.HeadCommit, mergeSha: merge.MergeCommit), GitHubEvents.Status(merge.HeadCommit, "success"));

        // Events are decided together, in order: each batch below ends with the bot's latest word.
        var changesRequested = await SendAsync(run, GitHubEvents.Review(Branch, Bot, "changes_requested", merge.HeadCommit));
        var otherReviewer = await SendAsync(run, GitHubEvents.Review(Branch, "teammate", "approved", merge.HeadCommit));
        var staleApproval = await SendAsync(run, GitHubEvents.Review(Branch, Bot, "approved", GitHubEvents.HeadSha));
        var approved = await SendAsync(run, GitHubEvents.Review(Branch, Bot, "approved", merge.HeadCommit));

        Assert.Equal([RunStatus.Waiting, RunStatus.Waiting, RunStatus.Waiting, RunStatus.Succeeded], new[] { changesRequested.Status, otherReviewer.Status, staleApproval.Status, approved.Status });
        var log = await LogAsync(run);
        Assert.Contains($"still waiting: pull request #7 (fix-the-bug) merged into {Branch}; waiting for an approving review by {Bot}; latest: {Bot} (changes requested) on its head commit {merge.HeadCommit}", log);
        Assert.Contains($"still waiting: pull request #7 (fix-the-bug) merged into {Branch}; waiting for an approving review by {Bot}; latest: {Bot} (approved commit {GitHubEvents.HeadSha}, not the head {merge.HeadCommit}) on its head commit {merge.HeadCommit}", log);
    }

    [Fact]
    public async Task WaitMerged_DismissedApproval_KeepsWaiting()
    {
        var run = await StartAsync();
        var merge = await OriginMerges.MergeFixAsync(_scenario.OriginPath, Branch);

        var dismissed = await SendAsync(run,
            GitHubEvents.Review(Branch, Bot, "approved", merge.HeadCommit),
            GitHubEvents.Review(Branch, Bot, "dismissed", merge.HeadCommit, action: "dismissed"),
            GitHubEvents.PullRequestMerged(Branch, headSha: merge.HeadCommit, mergeSha: merge.MergeCommit),
            GitHubEvents.Status(merge.HeadCommit, "success"));

        Assert.Equal(RunStatus.Waiting, dismissed.Status);
        Assert.Contains($"still waiting: pull request #7 (fix-the-bug) merged into {Branch}; waiting for an approving review by {Bot}; latest: {Bot} (review dismissed) on its head commit {merge.HeadCommit}", await LogAsync(run));
    }
}
