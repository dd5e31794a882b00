using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Providers.Git;
using Gantry.Server.Security;
using Gantry.Server.Tests.Apis;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Scenario;

/// <summary>The sandbox hotfix driven only through HTTP: start, wait for review, a signed GitHub merge webhook, rollout.</summary>
public sealed class HotfixOverHttpTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Hotfix_OnSandbox_WaitsForTheMergeWebhookThenTagsAndRollsOut()
    {
        using var client = _server.Client(TokenRole.Operator);
        using var start = await client.PostAsync("/api/workflows/hotfix/runs", ServerFixture.Json("""{"environment":"sandbox","inputs":{"version":"3.0.1"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var runPath = start.Headers.Location!.ToString();
        var id = runPath[(runPath.LastIndexOf('/') + 1)..];

        await _server.WaitForStatusAsync(id, RunStatus.Waiting, RunStatus.Failed);
        var waiting = JsonDocument.Parse(await client.GetStringAsync(runPath)).RootElement;
        Assert.Equal("waiting", waiting.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("review", waiting.GetProperty("waiting")[0].GetProperty("stepId").GetString());
        var origin = Path.Combine(_server.DataDirectory, "sandbox", "origin.git");
        var bump = (await new GitCommandRunner().RunAsync(origin, ["rev-parse", "hotfix/3.0.1"], CancellationToken.None)).StandardOutput.Trim();
        Assert.Equal($"a pull request merged into hotfix/3.0.1 (now at {bump}), approved by pr-nightmare, with its checks passed", waiting.GetProperty("waiting")[0].GetProperty("description").GetString());

        // A merge into another branch is delivered but is not the merge the run waits for.
        using (var other = await GitHubHookTests.SendAsync(_server, "pull_request", GitHubEvents.PullRequestMerged("develop"), sign: true))
        {
            Assert.Equal([id], JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("signalledRuns").EnumerateArray().Select(r => r.GetString()));
        }

        // A signed webhook that claims a merge origin does not have is refused; the run keeps waiting.
        await SendAndSettleAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1"));
        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);

        // The real merge on origin as GitHub reports it (mergeable_state "unknown"), the test bot's check
        // and then its +1 of the head commit: only then does the run go on.
        var merge = await OriginMerges.MergeFixAsync(origin, "hotfix/3.0.1");
        await SendAndSettleAsync("pull_request", GitHubEvents.PullRequestMerged("hotfix/3.0.1", headSha: merge.HeadCommit, mergeSha: merge.MergeCommit));
        await SendAndSettleAsync("status", GitHubEvents.Status(merge.HeadCommit, "success"));
        Assert.Equal(RunStatus.Waiting, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);
        using var approved = await GitHubHookTests.SendAsync(_server, "pull_request_review", GitHubEvents.Review("hotfix/3.0.1", "pr-nightmare", "approved", merge.HeadCommit), sign: true);
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled);

        Assert.True(run.Status == RunStatus.Succeeded, run.Message);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal("github:pr-nightmare", journal.Last(e => e.Type == JournalEventTypes.SignalReceived).Actor);
        Assert.Contains(journal, e => e.Type == JournalEventTypes.Log && e.Message == $"refused pull request #7 (fix-the-bug) reported merged into hotfix/3.0.1 by github:teammate: origin contradicts it: merge commit {GitHubEvents.MergeSha} does not exist on origin");
        var finish = journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "finish");
        Assert.Equal("v3.0.1", ((IDictionary<string, object?>)finish.Outputs!)["tag"]);
        using var viewer = _server.Client(TokenRole.Viewer);
        var status = JsonDocument.Parse(await viewer.GetStringAsync("/api/environments/sandbox/status")).RootElement;
        Assert.Equal(
            ["group1 live", "group2 live"],
            status.GetProperty("groups").EnumerateArray().Select(g => $"{g.GetProperty("name").GetString()} {g.GetProperty("state").GetString()}"));
    }

    private async Task SendAndSettleAsync(string eventName, string body)
    {
        using var response = await GitHubHookTests.SendAsync(_server, eventName, body, sign: true);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _server.Engine.WhenIdleAsync();
    }
}
