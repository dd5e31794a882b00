using System.Text.Json;
using System.Net;
using Gantry.EndToEnd.Tests.Fleet;
using Gantry.EndToEnd.Tests.Server;
using Gantry.Server.Security;
using Gantry.Testing.Fleet;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>
/// The scenario end to end, as its users drive it: a real <c>gantry serve</c> process, HTTP calls
/// and a signed GitHub webhook only, against the real fleet (HAProxy, OpenSSH, node apps, git origin),
/// with a request loop on HAProxy's frontend for the whole rollout.
/// </summary>
public sealed class ReleaseThroughServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Hotfix_MergedPullRequestWebhook_FinishesAndRollsOutGroupByGroupWithoutAFailedRequest()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());

        var (run, traffic) = await ReleaseAsync(fleet, "hotfix", "3.0.1", "hotfix/3.0.1");

        await AssertReleasedAsync(fleet, run, traffic, "3.0.1");
    }

    [Fact]
    public async Task DailyRelease_MergedPullRequestWebhook_FinishesAndRollsOutGroupByGroupWithoutAFailedRequest()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());

        var (run, traffic) = await ReleaseAsync(fleet, "daily-release", "3.1.0", "release/3.1.0");

        await AssertReleasedAsync(fleet, run, traffic, "3.1.0");
    }

    /// <summary>
    /// Starts the workflow over HTTP, checks the pushed bump while it waits for the review; an
    /// operator's forged merge signal is refused (403) and a webhook merge of a commit not on the branch
    /// is refused by origin, the run waiting on; then merges the fix on origin, posts the merged pull
    /// request's webhook and the named check on its head (still waiting), then the test bot's approving
    /// review, and waits for the run to end, with the load loop running from the merge to the end.
    /// </summary>
    private async Task<(JsonElement Run, LoadResult Traffic)> ReleaseAsync(RealFleet fleet, string workflow, string version, string branch)
    {
        await using var server = await GantryServerProcess.StartAsync(fleet.WorkspaceDirectory);
        using var api = new GantryApi(server);

        var runId = await api.StartRunAsync(workflow, fleet.EnvironmentId, new { version });
        var waiting = await api.WaitForStatusAsync(runId, RunTimeout, "waiting", "failed");
        Assert.True(GantryApi.Status(waiting) == "waiting", GantryApi.Describe(waiting));
        Assert.Equal(FleetOrigin.Ini(version).TrimEnd('\n'), await fleet.OriginGitAsync("show", $"{branch}:{FleetOrigin.VersionIni}"));
        Assert.Equal($"Bump version to {version}", await fleet.OriginGitAsync("log", "-1", "--format=%s", branch));

        // An operator's hand-made merge is refused: merge gates count only the signed webhook, approvers and admins.
        var bump = await fleet.OriginGitAsync("rev-parse", branch);
        string operatorToken;
        // Tokens live in the server's store (its --db), which every server on it reads.
        await using (var stores = await Gantry.Engine.Stores.RunStoreFactory.OpenAsync(Path.Combine(server.DataFolder, "gantry.db"), fleet.WorkspaceDirectory, TimeProvider.System, CancellationToken.None))
        {
            operatorToken = await new TokenStore(stores.Tokens).CreateAsync("release-operator", TokenRole.Operator, TimeProvider.System, null, CancellationToken.None);
        }

        var forged = await api.SignalAsync(runId, "pull_request", GantryApi.PullRequestMerged(branch, bump, bump), operatorToken);
        Assert.True(forged.Status == HttpStatusCode.Forbidden, $"{(int)forged.Status} {forged.Body}");

        // A signed webhook about a commit someone pushed beside the branch, never merged into it, is refused.
        var unreviewed = await fleet.OriginGitAsync("commit-tree", "-p", bump, "-m", "Unreviewed change", $"{bump}^{{tree}}:opensky/app");
        await fleet.OriginGitAsync("update-ref", "refs/heads/unreviewed", unreviewed);
        await api.SendGitHubEventAsync("pull_request", GantryApi.PullRequestMerged(branch, unreviewed, unreviewed));
        await api.WaitForLogAsync(runId, RunTimeout, l => l.StartsWith($"refused pull request #42 (fix-the-bug) reported merged into {branch} by github:teammate: origin contradicts it: merge commit {unreviewed} is not on origin's {branch}", StringComparison.Ordinal));
        // The line is journaled while the run executes; then it waits again.
        Assert.Equal("waiting", GantryApi.Status(await api.WaitForStatusAsync(runId, RunTimeout, "waiting", "succeeded", "failed", "cancelled")));

        // The real merge and the named check on its head: still waiting for the bot's +1.
        var merge = await fleet.MergeFixIntoAsync(branch);
        await using var load = fleet.StartLoad();
        var head = await fleet.OriginGitAsync("rev-parse", "fix-the-bug");
        var delivered = await api.SendGitHubEventAsync("pull_request", GantryApi.PullRequestMerged(branch, merge, head));
        var checkedHead = await api.SendGitHubEventAsync("status", GantryApi.StatusSucceeded(head));
        Assert.Equal([runId], delivered.GetProperty("signalledRuns").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([runId], checkedHead.GetProperty("signalledRuns").EnumerateArray().Select(r => r.GetString()));
        await api.WaitForLogAsync(runId, RunTimeout, l => l == $"still waiting: pull request #42 (fix-the-bug) merged into {branch}; waiting for an approving review by {RealFleet.ReviewBot} on its head commit {head}");
        // The line is journaled while the run executes; then it waits again.
        Assert.Equal("waiting", GantryApi.Status(await api.WaitForStatusAsync(runId, RunTimeout, "waiting", "succeeded", "failed", "cancelled")));

        var approved = await api.SendGitHubEventAsync("pull_request_review", GantryApi.ReviewApproved(branch, RealFleet.ReviewBot, head));
        Assert.Equal([runId], approved.GetProperty("signalledRuns").EnumerateArray().Select(r => r.GetString()));

        var run = await api.WaitForStatusAsync(runId, RunTimeout, fleet.DescribeAsync, "succeeded", "failed", "cancelled");
        var traffic = await load.StopAsync();
        output.WriteLine($"{workflow}: {traffic.Sent} requests during the rollout, {traffic.Failed} failed");
        output.WriteLine(GantryApi.Describe(run));
        return (run, traffic);
    }

    private static async Task AssertReleasedAsync(RealFleet fleet, JsonElement run, LoadResult traffic, string version)
    {
        Assert.True(GantryApi.Status(run) == "succeeded", $"{GantryApi.Message(run)}\n{GantryApi.Describe(run)}");
        Assert.Equal([], traffic.Failures);
        Assert.True(traffic.Sent > 50, $"only {traffic.Sent} requests were sent during the rollout");

        // git flow finish: tagged, and production and develop both hold the tag and the fix.
        Assert.Equal(["develop", "production"], (await fleet.OriginGitAsync("branch", "--format=%(refname:short)", "--contains", $"v{version}")).Split('\n').Where(b => b is "develop" or "production"));
        Assert.Equal("fixed", await fleet.OriginGitAsync("show", "production:opensky/app/main.txt"));
        // The tag ships what it says: the team's literal opensky.version line bumped, every other line as it was.
        var tagged = await fleet.OriginGitAsync("show", $"v{version}:{FleetOrigin.VersionIni}");
        Assert.Contains($"\n[opensky]\nopensky.name = OpenSky\nopensky.version = {version}\n", tagged, StringComparison.Ordinal);
        Assert.Equal(FleetOrigin.Ini(version).TrimEnd('\n'), tagged);

        // Staged on every host first, then rolled out group by group (group1 while group2 was live, then group2), to the new tag.
        var deployed = GantryApi.Journal(run)
            .Where(e => e.GetProperty("type").GetString() == "step.succeeded" && e.TryGetProperty("activity", out var a) && a.GetString() == "deploy.release")
            .Select(e => $"{e.GetProperty("outputs").GetProperty("group").GetString()} {e.GetProperty("outputs").GetProperty("release").GetString()}");
        Assert.Equal([$"all v{version}", $"group1 v{version}", $"group2 v{version}"], deployed);

        Assert.Equal(fleet.Hosts.Select(_ => version), await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", RealFleetTests.Describe(await fleet.HAProxyStatusesAsync()));
    }
}
