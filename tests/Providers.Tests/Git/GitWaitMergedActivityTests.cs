using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Providers.Tests.Fixtures;
using Gantry.Providers.Tests.Scenario;

namespace Gantry.Providers.Tests.Git;

/// <summary>git.wait-merged in a real run: each GitHub event is a journaled signal; the step decides from all of them.</summary>
public sealed class GitWaitMergedActivityTests : IDisposable
{
    private const string Branch = "hotfix/3.0.1";

    private const string Environment = """
        id: github
        repository: { url: "git@github.com:opensky/opensky.git" }
        load_balancer: { provider: none }
        """;

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    // These tests are about the events; origin is github.com, which the tests do not reach, so the
    // payloads are believed as sent (GitWaitMergedOnOriginTests checks merges against a real origin).
    private async Task<RunRecord> StartAsync(string with = "{ branch: hotfix/3.0.1, require_checks: true }")
    {
        with = with.TrimEnd().TrimEnd('}') + ", verify_on_origin: false }";
        var workflow = DocumentLoader.LoadWorkflow($"""
            id: review
            steps:
              - id: review
                uses: git.wait-merged
                with: {with}
            """, "review.yaml").GetOrThrow();
        var environment = DocumentLoader.LoadEnvironment(Environment, "github.yaml").GetOrThrow();
        var run = await _harness.Engine.StartAsync(new StartRunRequest { Workflow = workflow, Environment = environment, EnvironmentText = Environment }, CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, (await _harness.Engine.RunAsync(run.Id, CancellationToken.None)).Status);
        return run;
    }

    private async Task<RunRecord> SendAsync(RunRecord run, params string[] events)
    {
        foreach (var json in events)
        {
            await _harness.Engine.SignalAsync(run.Id, "pull_request", GitHubEvents.Plain(json), "github", CancellationToken.None);
        }

        return await _harness.Engine.RunAsync(run.Id, CancellationToken.None);
    }

    private async Task<List<string>> LogAsync(RunRecord run) =>
        [.. (await _harness.JournalAsync(run.Id)).Where(e => e.Type == JournalEventTypes.Log).Select(e => e.Message!)];

    [Fact]
    public async Task WaitMerged_MergeThenCheckSuite_WaitsAfterTheMergeAndSucceedsOnTheCheck()
    {
        var run = await StartAsync();

        var afterMerge = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch));
        var afterCheck = await SendAsync(run, GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));

        Assert.Equal(RunStatus.Waiting, afterMerge.Status);
        Assert.Equal(RunStatus.Succeeded, afterCheck.Status);
        var finished = (await _harness.JournalAsync(run.Id)).Single(e => e.Type == JournalEventTypes.StepSucceeded);
        Assert.Equal(GitHubEvents.HeadSha, ((IDictionary<string, object?>)finished.Outputs!)["head_commit"]);
        Assert.Equal(GitHubEvents.MergeSha, ((IDictionary<string, object?>)finished.Outputs!)["merge_commit"]);
        Assert.Contains($"pull request #7 (fix-the-bug) merged into hotfix/3.0.1 by teammate, reported by github; checks passed on 6dcb09b: GitHub Actions", await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_StatusThenMerge_Succeeds()
    {
        var run = await StartAsync();

        var afterStatus = await SendAsync(run, GitHubEvents.Status(GitHubEvents.HeadSha, "success"));
        var afterMerge = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(RunStatus.Waiting, afterStatus.Status);
        Assert.Equal(RunStatus.Succeeded, afterMerge.Status);
    }

    [Fact]
    public async Task WaitMerged_FailedCheckSuite_FailsTheStepNamingTheCheckAndCommit()
    {
        var run = await StartAsync();

        var failed = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch), GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "failure"));

        Assert.Equal(RunStatus.Failed, failed.Status);
        var error = (await _harness.JournalAsync(run.Id)).Single(e => e.Type == JournalEventTypes.StepFailed).Error!;
        Assert.Equal($"check 'GitHub Actions' failed (failure) on commit {GitHubEvents.HeadSha}, the head of pull request #7 (fix-the-bug) merged into hotfix/3.0.1; the merged code did not pass its required checks", error.Message);
    }

    [Fact]
    public async Task WaitMerged_ChecksOnAnotherCommit_KeepWaiting()
    {
        var run = await StartAsync();

        var waiting = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch), GitHubEvents.CheckSuiteCompleted("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "success"));

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Contains($"still waiting: pull request #7 (fix-the-bug) merged into hotfix/3.0.1; waiting for a successful check suite or status on its head commit {GitHubEvents.HeadSha}", await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_ChecksNotRequired_SucceedsOnTheMergeAlone()
    {
        var run = await StartAsync("{ branch: hotfix/3.0.1 }");

        var finished = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch));

        Assert.Equal(RunStatus.Succeeded, finished.Status);
    }

    [Fact]
    public async Task WaitMerged_EventsOfAnotherRepository_DoNotResumeTheRun()
    {
        var run = await StartAsync("{ branch: hotfix/3.0.1 }");

        var waiting = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch, repository: "someone/opensky"));

        Assert.Equal(RunStatus.Waiting, waiting.Status);
        Assert.Contains("ignored an event about repository someone/opensky, not this environment's", await LogAsync(run));
    }

    [Fact]
    public async Task WaitMerged_NamedChecks_WaitForEachNamedCheck()
    {
        var run = await StartAsync("{ branch: hotfix/3.0.1, require_checks: true, checks: [ci/test-bot, GitHub Actions] }");

        var partly = await SendAsync(run, GitHubEvents.PullRequestMerged(Branch), GitHubEvents.Status(GitHubEvents.HeadSha, "success"));
        var fully = await SendAsync(run, GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));

        Assert.Equal(RunStatus.Waiting, partly.Status);
        Assert.Equal(RunStatus.Succeeded, fully.Status);
    }
}
