using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Providers.Git;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>
/// Who may satisfy a merge gate by hand: <c>POST /api/runs/RUN/signals/pull_request</c> counts from
/// an approver or admin token; an operator's is refused and the run keeps waiting. The merge is also
/// checked against the sandbox's real origin.
/// </summary>
public sealed class MergeGateSignalTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A one-step git.wait-merged on the sandbox's production branch; returns the run and the branch's commit on origin.</summary>
    private async Task<(string Run, string Tip)> StartReviewAsync()
    {
        using var admin = _server.Client(TokenRole.Admin);
        using var saved = await admin.PostAsync("/api/definitions/merge-gate/versions?publish=true", ServerFixture.Yaml("""
            id: merge-gate
            steps:
              - id: review
                uses: git.wait-merged
                with: { branch: production }
            """));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var id = await _server.StartRunAsync("merge-gate", new { environment = "sandbox" });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        var origin = Path.Combine(_server.DataDirectory, "sandbox", "origin.git");
        var tip = (await new GitCommandRunner().RunAsync(origin, ["rev-parse", "production"], CancellationToken.None)).StandardOutput.Trim();
        return (id, tip);
    }

    private async Task<HttpResponseMessage> SignalAsync(TokenRole role, string run, string json)
    {
        using var client = _server.Client(role);
        var response = await client.PostAsync($"/api/runs/{run}/signals/pull_request", ServerFixture.Json(json));
        await _server.Engine.WhenIdleAsync();
        return response;
    }

    [Fact]
    public async Task SignalPullRequest_OperatorToken_Is403AndTheRunKeepsWaiting()
    {
        var (run, tip) = await StartReviewAsync();

        using var forged = await SignalAsync(TokenRole.Operator, run, GitHubEvents.PullRequestMerged("production", headSha: tip, mergeSha: tip));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        var problem = JsonDocument.Parse(await forged.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            $"token 'operator-token' is an operator; a pull_request signal counts only from the signed GitHub webhook (POST /api/hooks/github) or a token with role approver or admin. Run {run} keeps waiting.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(run, CancellationToken.None))!.Status);
        Assert.DoesNotContain(await _server.Runs.ReadJournalAsync(run, 0, CancellationToken.None), e => e.Type == JournalEventTypes.SignalReceived);
    }

    [Theory]
    [InlineData(TokenRole.Approver, "token:approver-token (approver)")]
    [InlineData(TokenRole.Admin, "token:admin-token (admin)")]
    public async Task SignalPullRequest_ApproverOrAdminToken_SatisfiesTheGateAndTheJournalSaysWho(TokenRole role, string actor)
    {
        var (run, tip) = await StartReviewAsync();

        using var accepted = await SignalAsync(role, run, GitHubEvents.PullRequestMerged("production", headSha: tip, mergeSha: tip));
        var finished = await _server.WaitForStatusAsync(run, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var journal = await _server.Runs.ReadJournalAsync(run, 0, CancellationToken.None);
        Assert.Equal(actor, journal.Single(e => e.Type == JournalEventTypes.SignalReceived).Actor);
        Assert.Equal(actor, ((IDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded).Outputs!)["reported_by"]);
    }

    [Fact]
    public async Task SignalPullRequest_AdminClaimingACommitOriginDoesNotHave_IsRefusedAndTheRunKeepsWaiting()
    {
        var (run, _) = await StartReviewAsync();

        using var claimed = await SignalAsync(TokenRole.Admin, run, GitHubEvents.PullRequestMerged("production"));

        Assert.Equal(HttpStatusCode.Accepted, claimed.StatusCode);
        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(run, CancellationToken.None))!.Status);
        Assert.Contains(
            $"refused pull request #7 (fix-the-bug) reported merged into production by token:admin-token (admin): origin contradicts it: merge commit {GitHubEvents.MergeSha} does not exist on origin",
            (await _server.Runs.ReadJournalAsync(run, 0, CancellationToken.None)).Where(e => e.Type == JournalEventTypes.Log).Select(e => e.Message));
    }
}
