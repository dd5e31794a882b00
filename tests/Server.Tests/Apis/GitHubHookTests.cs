using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class GitHubHookTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Hook_ValidSignatureOnUnrelatedEvent_Returns202WithReason()
    {
        using var response = await SendAsync(_server, "issues", """{"action":"opened"}""", sign: true);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("event 'issues' starts or resumes nothing here; push events start workflows with a push trigger, and pull_request, pull_request_review, check_suite and status events are delivered to runs waiting in git.wait-merged", outcome.GetProperty("reason").GetString());
        Assert.Equal(0, outcome.GetProperty("signalledRuns").GetArrayLength());
    }

    [Fact]
    public async Task Hook_Ping_Returns202()
    {
        using var response = await SendAsync(_server, "ping", """{"zen":"Keep it logically awesome."}""", sign: true);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("ping received; the webhook is set up", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Hook_MissingSignature_Returns401()
    {
        var problem = await RunsApiTests.ProblemAsync(await SendAsync(_server, "pull_request", "{}", sign: false));

        Assert.Equal((401, "the X-Hub-Signature-256 header is missing"), problem);
    }

    [Fact]
    public async Task Hook_WrongSecret_Returns401()
    {
        var problem = await RunsApiTests.ProblemAsync(await SendAsync(_server, "pull_request", "{}", signature: GitHubSignature.Sign("another-secret", "{}"u8)));

        Assert.Equal((401, "the X-Hub-Signature-256 header does not match the body signed with the configured secret"), problem);
    }

    [Fact]
    public async Task Hook_ReplayedBodyWithAnotherBodysSignature_Returns401AndSignalsNothing()
    {
        var original = """{"action":"opened"}""";
        var tampered = GitHubEvents.PullRequestMerged("hotfix/9.9.9");
        var signature = GitHubSignature.Sign(ServerFixture.WebhookSecret, Encoding.UTF8.GetBytes(original));

        using var accepted = await SendAsync(_server, "pull_request", original, signature: signature);
        var replayed = await RunsApiTests.ProblemAsync(await SendAsync(_server, "pull_request", tampered, signature: signature));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal((401, "the X-Hub-Signature-256 header does not match the body signed with the configured secret"), replayed);
    }

    [Fact]
    public async Task Hook_ServerWithoutSecret_Returns401()
    {
        await using var server = await ServerFixture.StartAsync(webhookSecret: null);

        var problem = await RunsApiTests.ProblemAsync(await SendAsync(server, "pull_request", "{}", signature: GitHubSignature.Sign(ServerFixture.WebhookSecret, "{}"u8)));

        Assert.Equal((401, "the server has no GitHub webhook secret (start it with GANTRY_GITHUB_WEBHOOK_SECRET set or --github-webhook-secret-file), so no delivery can be verified"), problem);
    }

    [Fact]
    public async Task Hook_PullRequest_SignalsOnlyRunsWaitingForPullRequest()
    {
        var approval = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(approval, Engine.Runtime.RunStatus.Waiting);

        using var response = await SendAsync(_server, "pull_request", GitHubEvents.PullRequestMerged("hotfix/1.0.0"), sign: true);

        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, outcome.GetProperty("signalledRuns").GetArrayLength());
        Assert.Equal("no run is waiting for a pull_request event", outcome.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Hook_MergeThenCheckSuite_WaitsAfterTheMergeAndResumesOnTheCheck()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1, require_checks: true }");

        var merged = await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        await _server.Engine.WhenIdleAsync();
        var afterMerge = (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status;
        var checkedSuite = await DeliverAsync("check_suite", GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success"));
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal((id, "delivered to 1 waiting run(s)"), merged);
        Assert.Equal(RunStatus.Waiting, afterMerge);
        Assert.Equal((id, "delivered to 1 waiting run(s)"), checkedSuite);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal(GitHubEvents.HeadSha, ((IDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded).Outputs!)["head_commit"]);
        Assert.Equal(["github:teammate", "github:github-actions[bot]"], journal.Where(e => e.Type == JournalEventTypes.SignalReceived).Select(e => e.Actor));
    }

    [Fact]
    public async Task Hook_StatusThenMerge_ResumesTheRun()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1, require_checks: true }");

        await DeliverAsync("status", GitHubEvents.Status(GitHubEvents.HeadSha, "success"));
        await _server.Engine.WhenIdleAsync();
        var afterStatus = (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status;
        await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(RunStatus.Waiting, afterStatus);
        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task Hook_FailedCheckSuite_FailsTheRunNamingTheCheckAndTheCommit()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1, require_checks: true }");

        await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        await DeliverAsync("check_suite", GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "failure"));
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(RunStatus.Failed, run.Status);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal(
            $"check 'GitHub Actions' failed (failure) on commit {GitHubEvents.HeadSha}, the head of pull request #7 (fix-the-bug) merged into hotfix/3.0.1; the merged code did not pass its required checks",
            journal.Single(e => e.Type == JournalEventTypes.StepFailed).Error!.Message);
    }

    [Fact]
    public async Task Hook_ChecksForAnotherCommit_LeaveTheRunWaiting()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1, require_checks: true }");

        await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        await DeliverAsync("check_suite", GitHubEvents.CheckSuiteCompleted("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "success"));
        await DeliverAsync("status", GitHubEvents.Status("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "failure"));
        await _server.Engine.WhenIdleAsync();

        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Hook_ChecksNotRequired_MergeAloneResumesTheRun()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1 }");

        await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task Hook_EventOfAnotherRepository_DoesNotResumeTheRun()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1 }");

        var outcome = await DeliverAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1", repository: "someone/opensky"));
        await _server.Engine.WhenIdleAsync();

        Assert.Equal(("", "1 run(s) wait for a pull request, none in repository someone/opensky"), outcome);
        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);
        Assert.DoesNotContain(await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None), e => e.Type == JournalEventTypes.SignalReceived);
    }

    [Fact]
    public async Task Hook_CheckSuiteRequestedOrPendingStatus_Returns202WithReasonAndSignalsNothing()
    {
        var id = await StartReviewAsync("{ branch: hotfix/3.0.1, require_checks: true }");

        var requested = await DeliverAsync("check_suite", GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success").Replace("\"action\": \"completed\"", "\"action\": \"requested\"", StringComparison.Ordinal));
        var pending = await DeliverAsync("status", GitHubEvents.Status(GitHubEvents.HeadSha, "pending"));

        Assert.Equal(("", "check_suite 'requested' resumes nothing; only completed check suites are delivered to waiting runs"), requested);
        Assert.Equal(("", "a pending status resumes nothing; success, failure and error statuses are delivered to waiting runs"), pending);
        Assert.DoesNotContain(await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None), e => e.Type == JournalEventTypes.SignalReceived);
    }

    /// <summary>
    /// Publishes a one-step git.wait-merged workflow and starts it on an environment whose origin is
    /// opensky/opensky on GitHub. These tests are about webhook delivery; github.com is not reached,
    /// so payloads are believed as sent (MergeGateSignalTests checks merges against a real origin).
    /// </summary>
    private async Task<string> StartReviewAsync(string with)
    {
        with = with.TrimEnd().TrimEnd('}') + ", verify_on_origin: false }";
        File.WriteAllText(Path.Combine(_server.Workspace, "workflows", "environments", "github.yaml"), """
            id: github
            repository: { url: "git@github.com:opensky/opensky.git" }
            load_balancer: { provider: none }
            """);
        using var admin = _server.Client(TokenRole.Admin);
        using var saved = await admin.PostAsync("/api/definitions/review/versions?publish=true", ServerFixture.Yaml($"""
            id: review
            steps:
              - id: review
                uses: git.wait-merged
                with: {with}
            """));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var id = await _server.StartRunAsync("review", new { environment = "github" });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        return id;
    }

    /// <summary>Delivers a signed event; returns the runs it signalled (comma-separated) and the reason given.</summary>
    private async Task<(string Signalled, string Reason)> DeliverAsync(string eventName, string body)
    {
        using var response = await SendAsync(_server, eventName, body, sign: true);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var outcome = JsonDocument.Parse(text).RootElement;
        return (string.Join(',', outcome.GetProperty("signalledRuns").EnumerateArray().Select(r => r.GetString())), outcome.GetProperty("reason").GetString()!);
    }

    internal static async Task<HttpResponseMessage> SendAsync(ServerFixture server, string eventName, string body, bool sign = false, string? signature = null)
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = ServerFixture.Json(body) };
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        signature ??= sign ? GitHubSignature.Sign(ServerFixture.WebhookSecret, Encoding.UTF8.GetBytes(body)) : null;
        if (signature is not null)
        {
            request.Headers.Add(GitHubSignature.Header, signature);
        }

        return await client.SendAsync(request);
    }
}
