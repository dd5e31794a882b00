using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Apis;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Scenario;

/// <summary>
/// GitHub push webhooks through a real server on loopback: deploy-testing puts the pushed commit on
/// real SSH hosts (OpenSSH on 127.0.0.x) from a real git origin, and each host's app serves the
/// VERSION of that commit.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class PushDeployTests(SshFleetFixture fleet) : IAsyncLifetime
{
    private static readonly RunStatus[] Finished = [RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled, RunStatus.Superseded];

    private ServerFixture _server = null!;
    private FleetSite _site = null!;
    private string _work = "";

    public async Task InitializeAsync()
    {
        _site = fleet.NewSite(2);
        var workspace = ServerFixture.CreateWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "workflows", "environments", "testing.yaml"), TestingEnvironment());
        _work = Path.Combine(fleet.Root, "develop-" + Guid.NewGuid().ToString("N")[..8]);
        await SshFleetFixture.RunAsync("git", "clone", "--quiet", "--branch", "production", fleet.OriginUrl, _work);
        await SshFleetFixture.RunAsync("git", "-C", _work, "checkout", "--quiet", "-B", "develop");
        _server = await ServerFixture.StartAsync(workspace: workspace);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Push_ToDevelop_DeploysThatCommitAndTheHostsServeIt()
    {
        var commit = await PushAsync("develop build 1");

        using var response = await SendPushAsync("refs/heads/develop", commit, "delivery-1");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var outcome = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"push to develop at {commit} started deploy-testing", outcome.GetProperty("reason").GetString());
        var runId = Assert.Single(outcome.GetProperty("startedRuns").EnumerateArray()).GetString()!;
        var run = await _server.WaitForStatusAsync(runId, Finished);
        Assert.True(run.Status == RunStatus.Succeeded, run.Message);
        Assert.Equal(("testing", "push:develop", "github:pushing-dev", commit), (run.EnvironmentId, run.Trigger, run.StartedBy, run.Inputs["ref"] as string));
        foreach (var host in _site.Hosts)
        {
            Assert.Equal("develop build 1", await FleetSite.ServedAsync(host));
            Assert.Equal(commit[..7], FleetSite.CurrentOf(host));
        }

        var journal = await _server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        var triggered = (IReadOnlyDictionary<string, object?>)journal[0].Payload!;
        Assert.Equal(JournalEventTypes.RunTriggered, journal[0].Type);
        Assert.Equal(("push", "delivery-1", commit, "pushing-dev", "develop"), (triggered["event"], triggered["delivery"], triggered["commit"], triggered["pusher"], triggered["branch"]));
        var outputs = (IReadOnlyDictionary<string, object?>)journal[^1].Outputs!;
        Assert.Equal((commit, commit[..7], 200L), (outputs["commit"], outputs["release"], Convert.ToInt64(outputs["smoke_status"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("develop build 1", (outputs["smoke_body"] as string)?.Trim());

        using var client = _server.Client(TokenRole.Viewer);
        var listed = JsonDocument.Parse(await client.GetStringAsync("/api/runs?environment=testing&trigger=push")).RootElement.GetProperty("items");
        Assert.Equal([runId], listed.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var byHand = JsonDocument.Parse(await client.GetStringAsync("/api/runs?environment=testing&trigger=http")).RootElement.GetProperty("items");
        Assert.Equal(0, byHand.GetArrayLength());
    }

    [Fact]
    public async Task FivePushes_InQuickSuccession_NewestDeployedInBetweenSupersededNeverTwoAtOnce()
    {
        var commits = new List<string>();
        for (var n = 1; n <= 5; n++)
        {
            commits.Add(await PushAsync($"develop build {n}"));
        }

        var runs = new List<string> { await StartedRunAsync(commits[0], "burst-1") };
        await _server.WaitForStatusAsync(runs[0], RunStatus.Running);
        for (var n = 1; n < 5; n++)
        {
            runs.Add(await StartedRunAsync(commits[n], $"burst-{n + 1}"));
        }

        var finished = new List<RunRecord>();
        foreach (var id in runs)
        {
            finished.Add(await _server.WaitForStatusAsync(id, Finished));
        }

        Assert.Equal(
            [RunStatus.Succeeded, RunStatus.Superseded, RunStatus.Superseded, RunStatus.Superseded, RunStatus.Succeeded],
            finished.Select(r => r.Status));
        foreach (var superseded in finished.Skip(1).Take(3))
        {
            Assert.Equal($"superseded by run {runs[4]}, a newer run for concurrency key 'deploy-testing' (queue: latest)", superseded.Message);
        }

        foreach (var host in _site.Hosts)
        {
            Assert.Equal("develop build 5", await FleetSite.ServedAsync(host));
            Assert.Equal(commits[4][..7], FleetSite.CurrentOf(host));
        }

        // Never two deploys at once: the second deploy started after the first one finished.
        var (firstStart, firstEnd) = await SpanAsync(runs[0]);
        var (lastStart, lastEnd) = await SpanAsync(runs[4]);
        Assert.True(firstEnd <= lastStart, $"run {runs[4]} started at {lastStart:O}, before run {runs[0]} ended at {firstEnd:O}");
        Assert.True(lastStart < lastEnd);
        foreach (var host in _site.Hosts)
        {
            var switches = File.ReadAllLines(Path.Combine(host.Root, "revisions.log")).Select(l => l.Split('\t')[2]).ToList();
            Assert.Equal([commits[0][..7], commits[4][..7]], switches);
        }
    }

    [Fact]
    public async Task Push_ToAnotherBranch_IsIgnoredWith202AndAReason()
    {
        using var response = await SendPushAsync("refs/heads/feature-x", new string('a', 40), "other-branch");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("push to feature-x ignored: push triggers watch only develop", outcome.GetProperty("reason").GetString());
        Assert.Equal(0, outcome.GetProperty("startedRuns").GetArrayLength());
        Assert.Empty(await _server.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Push_WithABadSignature_IsRefusedWith401AndStartsNothing()
    {
        var body = PushBody("refs/heads/develop", new string('b', 40));

        var problem = await RunsApiTests.ProblemAsync(await GitHubHookTests.SendAsync(_server, "push", body, signature: GitHubSignature.Sign("not-the-secret", Encoding.UTF8.GetBytes(body))));

        Assert.Equal((401, "the X-Hub-Signature-256 header does not match the body signed with the configured secret"), problem);
        Assert.Empty(await _server.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }

    private async Task<string> StartedRunAsync(string commit, string delivery)
    {
        using var response = await SendPushAsync("refs/heads/develop", commit, delivery);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("startedRuns").EnumerateArray()).GetString()!;
    }

    /// <summary>When a run's execution started and ended, from its journal.</summary>
    private async Task<(DateTimeOffset Start, DateTimeOffset End)> SpanAsync(string runId)
    {
        var journal = await _server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        return (journal.First(e => e.Type == JournalEventTypes.RunStarted).Time, journal.Single(e => e.Type == JournalEventTypes.RunFinished).Time);
    }

    /// <summary>Commits a VERSION file on develop and pushes it to origin; returns the commit.</summary>
    private async Task<string> PushAsync(string version)
    {
        await File.WriteAllTextAsync(Path.Combine(_work, "VERSION"), version + "\n");
        await SshFleetFixture.RunAsync("git", "-C", _work, "add", "VERSION");
        await SshFleetFixture.RunAsync("git", "-C", _work, "-c", "user.name=Gantry tests", "-c", "user.email=tests@gantry.invalid", "commit", "--quiet", "-m", version);
        await SshFleetFixture.RunAsync("git", "-C", _work, "push", "--quiet", "--force", "origin", "develop");
        return (await SshFleetFixture.RunAsync("git", "-C", _work, "rev-parse", "HEAD")).Trim();
    }

    private async Task<HttpResponseMessage> SendPushAsync(string pushedRef, string commit, string delivery)
    {
        var body = PushBody(pushedRef, commit);
        using var client = _server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = ServerFixture.Json(body) };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add(GitHubSignature.Header, GitHubSignature.Sign(ServerFixture.WebhookSecret, Encoding.UTF8.GetBytes(body)));
        return await client.SendAsync(request);
    }

    private static string PushBody(string pushedRef, string commit) => JsonSerializer.Serialize(new
    {
        @ref = pushedRef,
        before = new string('0', 40),
        after = commit,
        deleted = false,
        repository = new { full_name = "opensky/opensky" },
        pusher = new { name = "pushing-dev" },
        head_commit = new { id = commit, message = "a commit on develop" },
        sender = new { login = "pushing-dev" },
    });

    private string TestingEnvironment()
    {
        var hosts = string.Join("\n", _site.Hosts.Select(h => $"  {h.Name}: {{ address: {h.Host.Address}, root: {h.Root}, vars: {{ app_port: {h.AppPort} }} }}"));
        return $$$"""
            id: testing
            repository: { url: "{{{fleet.OriginUrl}}}" }
            load_balancer: { provider: none }
            groups:
              testing: { hosts: [{{{string.Join(", ", _site.Hosts.Select(h => h.Name))}}}] }
            hosts:
            {{{hosts}}}
            deploy:
              source: clone
              restart: "sh {{{fleet.BinPath}}}/restart-app.sh {{ host.root }} {{ host.address }} {{ host.vars.app_port }}"
              health: { url: "http://{{ host.address }}:{{ host.vars.app_port }}/health", retries: 40, interval: 100ms }
            ssh:
              user: {{{fleet.User}}}
              port: {{{fleet.Port}}}
              known_hosts: {{{fleet.KnownHostsPath}}}
              key_file: {{{fleet.ClientKeyPath}}}
              connect_timeout: 30s
              command_timeout: 60s
            vars:
              smoke_url: {{{_site[0].Url}}}
            """;
    }
}
