using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Apis;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Security;

/// <summary>The probes of issue 19, rerun against a fresh server: each gets a clear 4xx or a masked value, and the server stays up.</summary>
public sealed class HostileProbeTests : IAsyncLifetime
{
    private const string Pushed = """
        id: pushed
        inputs:
          ref: { type: string, default: "" }
        steps:
          - uses: log
            with: { message: "pushed {{ inputs.ref }}" }
        on:
          push: { branch: release-probe }
        """;

    private ServerFixture _server = null!;

    public async Task InitializeAsync()
    {
        var workspace = ServerFixture.CreateWorkspace();
        File.WriteAllText(Path.Combine(workspace, "workflows", "pushed.yaml"), Pushed + "\n");
        var environments = Path.Combine(workspace, "workflows", "environments");
        var credentialed = File.ReadAllText(Path.Combine(environments, "sandbox.yaml"))
            .Replace("id: sandbox", "id: credentialed", StringComparison.Ordinal)
            .Replace("  url: sandbox", "  url: https://deployer:ghp_repoTokenValue123@git.example.invalid/team/app.git", StringComparison.Ordinal)
            .Replace("http://{{ host.address }}:8080/health", "http://probe:hunter22@{{ host.address }}:8080/health", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(environments, "credentialed.yaml"), credentialed);
        _server = await ServerFixture.StartAsync(workspace: workspace, webhookMaxAge: TimeSpan.FromDays(1));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Nine levels of ten aliases: under 500 bytes, 10⁹ nodes when expanded.</summary>
    internal static string AliasBomb()
    {
        var text = new StringBuilder("id: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
        {
            text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        return text.ToString();
    }

    [Fact]
    public async Task Validate_AliasBombAsViewer_Is403()
    {
        using var client = _server.Client(TokenRole.Viewer);

        using var response = await client.PostAsync("/api/definitions/bomb/validate", ServerFixture.Yaml(AliasBomb()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Validate_AliasBombAsOperator_IsALocatedProblemInMilliseconds()
    {
        using var client = _server.Client(TokenRole.Operator);
        var watch = Stopwatch.StartNew();

        using var response = await client.PostAsync("/api/definitions/bomb/validate", ServerFixture.Yaml(AliasBomb()));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        var error = await SingleValidationErrorAsync(response);
        Assert.Equal("bomb.yaml:6:45 invalid YAML: the document expands to more than 100,000 values (aliases counted as often as they are used); split it or remove repeated aliases", error);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Validate_JsonWith92kKeys_IsAShortLocatedProblem()
    {
        var json = new StringBuilder("{\"id\":\"wide\"");
        for (var i = 0; json.Length < 1_000_000; i++)
        {
            json.Append(",\"k").Append(i).Append("\":1");
        }

        json.Append('}');
        using var client = _server.Client(TokenRole.Operator);
        var watch = Stopwatch.StartNew();

        using var response = await client.PostAsync("/api/definitions/wide/validate", ServerFixture.Json(json.ToString()));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(JsonDocument.Parse(text).RootElement.GetProperty("valid").GetBoolean(), text);
        Assert.True(text.Length < 10_000, $"answer of {text.Length} characters");
        Assert.Contains("invalid JSON: the document expands to more than 100,000 values", text, StringComparison.Ordinal);
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Signal_AliasBombForAMissingRun_Is404WithoutParsing()
    {
        using var client = _server.Client(TokenRole.Operator);

        // Parsed, this body is a 400 (see the next test): a 404 says the run was looked up first.
        var problem = await RunsApiTests.ProblemAsync(await client.PostAsync("/api/runs/no-such-run/signals/approve", ServerFixture.Yaml(AliasBomb())));

        Assert.Equal((404, "no run with id 'no-such-run'"), problem);
    }

    [Fact]
    public async Task Signal_AliasBombForAWaitingRun_IsALocated400()
    {
        var run = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(run, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);

        var problem = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{run}/signals/approve", ServerFixture.Yaml(AliasBomb())));

        Assert.Equal((400, "the signal payload is not valid JSON (line 6, column 45): invalid YAML: the document expands to more than 100,000 values (aliases counted as often as they are used); split it or remove repeated aliases"), problem);
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("{{ secrets.x | string.upcase }}")]
    [InlineData("{{ secrets.x | string.reverse }}")]
    [InlineData("{{ secrets.x | string.base64_encode }}")]
    public async Task Save_TemplateTransformingASecret_IsALocated400(string template)
    {
        using var client = _server.Client(TokenRole.Admin);
        var yaml = $"id: leaky\nsteps:\n  - uses: log\n    with: {{ message: \"{template}\" }}\n";

        using var response = await client.PostAsync("/api/definitions/leaky/versions", ServerFixture.Yaml(yaml));

        Assert.Equal("leaky.yaml:4:23 steps[0].with.message: secrets can only be read as the whole expression {{ secrets.NAME }} in an input declared sensitive; a function or filter over a secret would print it past the masker; log has no sensitive input", await SingleErrorAsync(response));
    }

    [Fact]
    public async Task Validate_UnclosedExpression_IsALocatedProblem()
    {
        using var client = _server.Client(TokenRole.Operator);
        var yaml = "id: unclosed\nsteps:\n  - id: tag\n    uses: git.latest-tag\n  - uses: log\n    with: { message: \"{{ steps.tag.outputs.tag \" }\n";

        using var response = await client.PostAsync("/api/definitions/unclosed/validate", ServerFixture.Yaml(yaml));

        Assert.Equal("unclosed.yaml:6:23 steps[1].with.message: template syntax error: '{{' is never closed; expected '}}' to end the expression", await SingleValidationErrorAsync(response));
    }

    [Fact]
    public async Task ShowEnvironment_UrlCredentials_AreMaskedForViewers()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var text = await client.GetStringAsync("/api/environments/credentialed");
        var environment = JsonDocument.Parse(text).RootElement;

        Assert.Equal("https://***@git.example.invalid/team/app.git", environment.GetProperty("repository").GetProperty("url").GetString());
        Assert.DoesNotContain("ghp_repoTokenValue123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_SameSignedBodyWithAnotherOrNoDeliveryId_StartsNothingMore()
    {
        var body = PushBody(DateTimeOffset.UtcNow);

        var first = await PushAsync(body, "delivery-a");
        var again = await PushAsync(body, "delivery-b");
        var anonymous = await PushAsync(body, null);

        Assert.Equal(1, first.GetProperty("startedRuns").GetArrayLength());
        foreach (var replay in new[] { again, anonymous })
        {
            Assert.Equal(0, replay.GetProperty("startedRuns").GetArrayLength());
            Assert.StartsWith("replay refused: a delivery with the same signed body (sha256 ", replay.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.Single(await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "pushed" }, CancellationToken.None));
    }

    [Fact]
    public async Task Push_OlderThanTheWindow_IsRefusedWith400()
    {
        var body = PushBody(DateTimeOffset.UtcNow - TimeSpan.FromDays(2));

        var problem = await RunsApiTests.ProblemAsync(await GitHubHookTests.SendAsync(_server, "push", body, sign: true));

        Assert.Equal(400, problem.Status);
        Assert.StartsWith("the push event is from ", problem.Detail, StringComparison.Ordinal);
        Assert.Contains(", older than the webhook window of ", problem.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; replayed or long-delayed deliveries are refused (raise --webhook-max-age to accept older ones)", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "pushed" }, CancellationToken.None));
    }

    private async Task<JsonElement> PushAsync(string body, string? delivery)
    {
        using var client = _server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = ServerFixture.Json(body) };
        request.Headers.Add("X-GitHub-Event", "push");
        if (delivery is not null)
        {
            request.Headers.Add("X-GitHub-Delivery", delivery);
        }

        request.Headers.Add(GitHubSignature.Header, GitHubSignature.Sign(ServerFixture.WebhookSecret, Encoding.UTF8.GetBytes(body)));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string PushBody(DateTimeOffset pushedAt) => JsonSerializer.Serialize(new
    {
        @ref = "refs/heads/release-probe",
        before = new string('0', 40),
        after = "4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a",
        deleted = false,
        repository = new { full_name = "team/app", pushed_at = pushedAt.ToUnixTimeSeconds() },
        pusher = new { name = "dev" },
        head_commit = new { id = "4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a", message = "fix", timestamp = pushedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) },
    });

    private static async Task<string> SingleErrorAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return Located(Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray()));
        }
    }

    /// <summary>A validate call answers 200 with <c>{ valid: false, errors }</c>: the designer validates as you type, and invalid text is its normal case.</summary>
    private static async Task<string> SingleValidationErrorAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var answer = JsonDocument.Parse(text).RootElement;
            Assert.False(answer.GetProperty("valid").GetBoolean(), text);
            return Located(Assert.Single(answer.GetProperty("errors").EnumerateArray()));
        }
    }

    private static string Located(JsonElement error) =>
        $"{error.GetProperty("file").GetString()}:{error.GetProperty("line").GetInt32()}:{error.GetProperty("column").GetInt32()} {(error.GetProperty("path").GetString() is { Length: > 0 } path ? path + ": " : "")}{error.GetProperty("message").GetString()}";

    private async Task AssertHealthyAsync()
    {
        using var client = _server.Client();
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
    }
}
