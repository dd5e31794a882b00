using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Server;

/// <summary>What a user's tools do with a running <c>gantry serve</c>: plain HTTP, JSON and a signed GitHub webhook.</summary>
internal sealed class GantryApi(GantryServerProcess server) : IDisposable
{
    private readonly HttpClient _client = server.Client();

    /// <summary><c>POST /api/workflows/{workflow}/runs</c>; returns the new run's id.</summary>
    public async Task<string> StartRunAsync(string workflow, string environment, object inputs)
    {
        using var response = await _client.PostAsJsonAsync($"api/workflows/{workflow}/runs", new { environment, inputs });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"start {workflow}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary><c>GET /api/runs/{id}</c>: the run, its journal and what it waits for.</summary>
    public async Task<JsonElement> RunAsync(string runId)
    {
        var body = await _client.GetStringAsync($"api/runs/{runId}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the run until its status is one of <paramref name="statuses"/>; fails with its journal after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string runId, TimeSpan timeout, params string[] statuses) =>
        await WaitForStatusAsync(runId, timeout, () => Task.FromResult(""), statuses);

    /// <summary>Polls the run until its status is one of <paramref name="statuses"/>; fails with its journal and <paramref name="diagnostics"/> after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string runId, TimeSpan timeout, Func<Task<string>> diagnostics, params string[] statuses)
    {
        var run = default(JsonElement);
        await Eventually.TrueAsync(
            async () =>
            {
                run = await RunAsync(runId);
                return statuses.Contains(Status(run));
            },
            async () => $"run {runId} is {string.Join(" or ", statuses)}; it is {Status(run)}:\n{Describe(run)}\nserver output:\n{server.Output}\n{await diagnostics()}",
            timeout,
            every: TimeSpan.FromMilliseconds(200));
        return run;
    }

    /// <summary><c>POST /api/runs/{id}/signals/{name}</c> with another token (an operator's, say); returns the status code and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SignalAsync(string runId, string name, string body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/runs/{runId}/signals/{name}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls the run's journal until a log line satisfies <paramref name="match"/>; fails with the journal after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLogAsync(string runId, TimeSpan timeout, Func<string, bool> match)
    {
        var run = default(JsonElement);
        return await Eventually.ValueAsync(
            async () => Journal(run = await RunAsync(runId))
                .Where(e => e.GetProperty("type").GetString() == "log" && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                .Select(e => e.GetProperty("message").GetString()!)
                .FirstOrDefault(match),
            () => Task.FromResult($"run {runId} journals such a line:\n{Describe(run)}\nserver output:\n{server.Output}"),
            timeout,
            every: TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Posts a GitHub webhook delivery signed with the server's secret (X-Hub-Signature-256).</summary>
    public async Task<JsonElement> SendGitHubEventAsync(string eventName, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/hooks/github")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        var hmac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(GantryServerProcess.WebhookSecret), Encoding.UTF8.GetBytes(body));
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(hmac));
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"webhook: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// GitHub's <c>pull_request</c> "closed" event for fix-the-bug merged into <paramref name="branch"/>, with the
    /// fields GitHub sends after a merge (<c>mergeable: null</c>, <c>mergeable_state: "unknown"</c>).
    /// </summary>
    public static string PullRequestMerged(string branch, string mergeCommit, string headCommit) => JsonSerializer.Serialize(new
    {
        action = "closed",
        number = 42,
        pull_request = new
        {
            number = 42,
            state = "closed",
            merged = true,
            mergeable = (bool?)null,
            mergeable_state = "unknown",
            merge_commit_sha = mergeCommit,
            @base = new { @ref = branch, label = $"opensky:{branch}" },
            head = new { @ref = "fix-the-bug", sha = headCommit, label = "opensky:fix-the-bug" },
            merged_by = new { login = "teammate" },
        },
        repository = new { full_name = "opensky/opensky", name = "opensky" },
        sender = new { login = "teammate" },
    });

    /// <summary>GitHub's <c>pull_request_review</c> event: <paramref name="reviewer"/> approves pull request #42 at <paramref name="headCommit"/>.</summary>
    public static string ReviewApproved(string branch, string reviewer, string headCommit) => JsonSerializer.Serialize(new
    {
        action = "submitted",
        review = new { id = 80, user = new { login = reviewer, type = "User" }, body = "+1", commit_id = headCommit, state = "approved" },
        pull_request = new
        {
            number = 42,
            state = "closed",
            @base = new { @ref = branch },
            head = new { @ref = "fix-the-bug", sha = headCommit },
        },
        repository = new { full_name = "opensky/opensky", name = "opensky" },
        sender = new { login = reviewer },
    });

    /// <summary>GitHub's <c>status</c> event: the test bot's check (state success) on <paramref name="commit"/>.</summary>
    public static string StatusSucceeded(string commit) => JsonSerializer.Serialize(new
    {
        id = 214015194,
        sha = commit,
        name = "opensky/opensky",
        context = "ci/test-bot",
        state = "success",
        description = "The build succeeded",
        branches = new[] { new { name = "fix-the-bug", commit = new { sha = commit } } },
        repository = new { full_name = "opensky/opensky", name = "opensky" },
        sender = new { login = "test-bot" },
    });

    public static string Status(JsonElement run) => run.GetProperty("run").GetProperty("status").GetString()!;

    public static string? Message(JsonElement run) =>
        run.GetProperty("run").TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null;

    public static IEnumerable<JsonElement> Journal(JsonElement run) => run.GetProperty("journal").EnumerateArray();

    /// <summary>The journal, one line per event, for failure messages.</summary>
    public static string Describe(JsonElement run) => string.Join('\n', Journal(run).Select(e =>
        string.Join(' ', new[] { "time", "type", "path", "activity", "host", "message" }
            .Select(p => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
            .Where(v => v is not null))));

    public void Dispose() => _client.Dispose();
}
