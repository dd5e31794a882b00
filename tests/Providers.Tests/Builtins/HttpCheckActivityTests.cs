using System.Diagnostics;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;

namespace Gantry.Providers.Tests.Builtins;

/// <summary><c>http.check</c> against a real HTTP server on 127.0.0.1.</summary>
public sealed class HttpCheckActivityTests
{
    [Fact]
    public async Task Check_ExpectedStatusAndBody_SucceedsWithTheResponse()
    {
        await using var server = await FakeHttpServer.StartAsync(_ => (200, "ready v3.0.1\n"));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/health", "expect_body: ready"));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var outputs = await harness.OutputsAsync(run, "check");
        Assert.Equal((200L, "ready v3.0.1\n", 1L), (outputs["status"], outputs["body"], outputs["attempts"]));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Check_StatusMismatch_FailsNamingExpectedAndReceivedAfterEveryAttempt()
    {
        await using var server = await FakeHttpServer.StartAsync(_ => (503, "down for maintenance\n"));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/health", "retries: 3, interval: 1ms"));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step check (steps[0]) failed: GET {server.BaseUrl}/health: expected status 200, got 503 'down for maintenance' after 3 attempts", run.Message);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task Check_BodyLacksExpectedText_FailsQuotingBoth()
    {
        await using var server = await FakeHttpServer.StartAsync(_ => (200, "starting"));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/", "expect_body: ready, retries: 1"));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step check (steps[0]) failed: GET {server.BaseUrl}/: expected status 200 and body containing 'ready', got 200 'starting' after 1 attempt", run.Message);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Check_HealthyOnThirdAttempt_CountsAttemptsAndLogsEachRetry()
    {
        await using var server = await FakeHttpServer.StartAsync(r => r.Number < 3 ? (502, "bad gateway") : (200, "ok"));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/health", "retries: 5, interval: 1ms"));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(3L, (await harness.OutputsAsync(run, "check"))["attempts"]);
        Assert.Equal(3, server.RequestCount);
        Assert.Equal(
            [
                $"GET {server.BaseUrl}/health: attempt 1 of 5 got 502 'bad gateway'; retrying in 1ms",
                $"GET {server.BaseUrl}/health: attempt 2 of 5 got 502 'bad gateway'; retrying in 1ms",
                $"GET {server.BaseUrl}/health: 200 after 3 attempts",
            ],
            await harness.LogAsync(run.Id));
    }

    [Fact]
    public async Task Check_FirstAnswerNeverComes_TimesOutThatAttemptAndRetries()
    {
        await using var server = await FakeHttpServer.StartAsync(async (r, ct) => r.Number == 1 ? await NeverAsync(ct) : (200, "ok"));
        var harness = new BuiltinsHarness();

        // The timeout bounds every attempt, the answered second one too: 200 ms failed that one on a loaded CI
        // machine (a new connection to a real server while every test project runs). 2 s only a real bug exceeds.
        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/", "retries: 2, interval: 1ms, timeout: 2s"));

        Assert.True(run.Status == RunStatus.Succeeded, $"run {run.Status}: {run.Message}");
        Assert.Equal(2L, (await harness.OutputsAsync(run, "check"))["attempts"]);
        Assert.Equal($"GET {server.BaseUrl}/: attempt 1 of 2 got no response within 2s; retrying in 1ms", (await harness.LogAsync(run.Id))[0]);
    }

    [Fact]
    public async Task Check_NoAnswerWithinTimeout_FailsSayingSo()
    {
        await using var server = await FakeHttpServer.StartAsync((_, ct) => NeverAsync(ct));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(Workflow(server.BaseUrl + "/", "retries: 1, timeout: 200ms"));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step check (steps[0]) failed: GET {server.BaseUrl}/: expected status 200, got no response within 200ms after 1 attempt", run.Message);
    }

    [Fact]
    public async Task Check_SecretInUrlAndEchoedBody_IsMaskedInMessageAndJournal()
    {
        await using var server = await FakeHttpServer.StartAsync(r => (401, "bad token in " + r.PathAndQuery));
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(
            Workflow(server.BaseUrl + "/health?token={{ secrets.token }}", "retries: 1"),
            """
            id: test
            secrets:
              token: { value: s3cr3t-value }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step check (steps[0]) failed: GET {server.BaseUrl}/health?token=***: expected status 200, got 401 'bad token in /health?token=***' after 1 attempt", run.Message);
        var journal = await harness.JournalAsync(run.Id);
        Assert.DoesNotContain(journal, e => System.Text.Json.JsonSerializer.Serialize(e).Contains("s3cr3t-value", StringComparison.Ordinal));
    }

    /// <summary>An answer that never comes: the server holds the request until the client gives up or the server stops.</summary>
    private static async Task<FakeHttpAnswer> NeverAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    }

    private static string Workflow(string url, string more) => $$"""
        id: http
        steps:
          - id: check
            uses: http.check
            with: { url: "{{url}}", {{more}} }
        """;
}
