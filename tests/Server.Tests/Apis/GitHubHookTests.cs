using System.Net;
using System.Text;
using System.Text.Json;
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
        Assert.Equal("event 'issues' starts or resumes nothing here; push events start workflows with a push trigger and pull_request events are delivered to waiting runs", outcome.GetProperty("reason").GetString());
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
        var tampered = PullRequestMerged("hotfix/9.9.9");
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

        Assert.Equal((401, "the server has no GitHub webhook secret (set GANTRY_GITHUB_WEBHOOK_SECRET), so no delivery can be verified"), problem);
    }

    [Fact]
    public async Task Hook_PullRequest_SignalsOnlyRunsWaitingForPullRequest()
    {
        var approval = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(approval, Engine.Runtime.RunStatus.Waiting);

        using var response = await SendAsync(_server, "pull_request", PullRequestMerged("hotfix/1.0.0"), sign: true);

        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, outcome.GetProperty("signalledRuns").GetArrayLength());
        Assert.Equal("no run is waiting for a pull_request event", outcome.GetProperty("reason").GetString());
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

    /// <summary>A GitHub pull_request "closed" event for a reviewed pull request merged into <paramref name="branch"/>.</summary>
    internal static string PullRequestMerged(string branch) => JsonSerializer.Serialize(new
    {
        action = "closed",
        number = 7,
        pull_request = new
        {
            number = 7,
            merged = true,
            mergeable_state = "clean",
            merge_commit_sha = "1111111111111111111111111111111111111111",
            @base = new { @ref = branch },
            head = new { @ref = "fix-the-bug" },
            merged_by = new { login = "teammate" },
        },
        sender = new { login = "teammate" },
    });
}
