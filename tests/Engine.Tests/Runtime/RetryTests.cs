using Gantry.Engine.Runtime;
using Polly.Timeout;

namespace Gantry.Engine.Tests.Runtime;

/// <summary><c>retry.on</c> matches error kinds by name, never by message; backoff runs on the engine's clock.</summary>
public sealed class RetryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RetryOn_Timeout_DoesNotRetryAnErrorThatOnlyMentionsATimeout()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: loose
            steps:
              - id: flaky
                uses: test.flaky
                retry: { attempts: 3, delay: 1ms, on: [timeout] }
                with: { failures: 1, message: "read timeout from the database" }
            """);

        Assert.Equal((RunStatus.Failed, "step flaky (steps[0]) failed: read timeout from the database 1"), (run.Status, run.Message));
        Assert.Equal(["flaky attempt 1"], harness.Calls.Items);
        Assert.DoesNotContain(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepRetrying);
    }

    [Theory]
    [InlineData("timeout", "Timeout")]
    [InlineData("HttpRequest", "HttpRequest")]
    [InlineData("httprequest", "HttpRequest")]
    [InlineData("InvalidOperation", "InvalidOperation")]
    [InlineData("any", "InvalidOperation")]
    public async Task RetryOn_MatchingKind_RetriesUntilItSucceeds(string on, string error)
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync($$"""
            id: matching
            steps:
              - uses: test.flaky
                retry: { attempts: 3, delay: 1ms, on: [{{on}}] }
                with: { failures: 2, error: {{error}} }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["flaky attempt 1", "flaky attempt 2", "flaky attempt 3"], harness.Calls.Items);
    }

    [Theory]
    [InlineData("timeout", "HttpRequest", "HttpRequest")]
    [InlineData("HttpRequest", "InvalidOperation", "InvalidOperation")]
    [InlineData("Http", "HttpRequest", "HttpRequest")]
    [InlineData("InvalidOperationException", "InvalidOperation", "InvalidOperation")]
    public async Task RetryOn_OtherKind_FailsAtTheFirstAttempt(string on, string error, string journaledType)
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync($$"""
            id: other
            steps:
              - id: flaky
                uses: test.flaky
                retry: { attempts: 3, delay: 1ms, on: [{{on}}] }
                with: { failures: 2, error: {{error}} }
            """);

        Assert.Equal((RunStatus.Failed, "step flaky (steps[0]) failed: boom 1"), (run.Status, run.Message));
        Assert.Equal(["flaky attempt 1"], harness.Calls.Items);
        var failed = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepFailed);
        Assert.Equal((journaledType, 1), (failed.Error!.Type, failed.Attempt));
    }

    [Fact]
    public async Task RetryOn_Timeout_RetriesAStepThatOutlivedItsOwnTimeout()
    {
        var harness = new EngineHarness();
        var run = await harness.RunAsync("""
            id: slow
            steps:
              - id: sleepy
                uses: test.slow
                timeout: 20ms
                retry: { attempts: 2, delay: 1ms, on: [timeout] }
                with: { name: z, duration: 10s }
            """);

        Assert.Equal((RunStatus.Failed, "step sleepy (steps[0]) failed: step sleepy timed out after 20ms and was cancelled"), (run.Status, run.Message));
        Assert.Equal(["slow start z", "slow cancelled z", "slow start z", "slow cancelled z"], harness.Calls.Items);
    }

    [Theory]
    [InlineData("Timeout")]
    [InlineData("ShellTimeout")]
    [InlineData("RemoteCommandTimeout")]
    public void IsErrorKind_Timeout_MatchesEveryTimeoutKind(string typeName)
    {
        Exception error = typeName switch
        {
            "Timeout" => new TimeoutRejectedException("late"),
            "ShellTimeout" => new ShellTimeoutException("late"),
            _ => new RemoteCommandTimeoutException("late"),
        };

        Assert.True(RunExecution.IsErrorKind(error, "timeout"));
        Assert.False(RunExecution.IsErrorKind(new InvalidOperationException("a timeout happened"), "timeout"));
    }

    [Fact]
    public void IsErrorKind_BaseTypeName_MatchesSubclasses()
    {
        var error = new PushRejectedException("rejected");

        Assert.True(RunExecution.IsErrorKind(error, "PushRejected"));
        Assert.True(RunExecution.IsErrorKind(error, "git"));
        Assert.False(RunExecution.IsErrorKind(error, "System"));
        Assert.False(RunExecution.IsErrorKind(error, "Exception"));
    }

    [Fact]
    public async Task Retry_LinearBackoffWithMaxDelay_WaitsTwoFourThenCapsAtFiveSeconds()
    {
        var clock = new ObservedClock(T0);
        var harness = new EngineHarness(clock);
        var started = await harness.StartAsync("""
            id: linear
            steps:
              - uses: test.flaky
                retry: { attempts: 4, delay: 2s, backoff: linear, max_delay: 5s }
                with: { failures: 3 }
            """);

        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        foreach (var seconds in new[] { 2, 4, 5 })
        {
            Assert.True(await clock.NextTimerAsync(), $"no retry delay was armed before the {seconds}s wait");
            Assert.False(running.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(seconds));
        }

        var run = await running;

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal([T0, T0.AddSeconds(2), T0.AddSeconds(6), T0.AddSeconds(11)], harness.Calls.AttemptTimes);
        var retries = (await harness.JournalAsync(run.Id)).Where(e => e.Type == JournalEventTypes.StepRetrying).Select(e => e.Message).ToList();
        Assert.Equal(
            [
                "attempt 1 of 4 failed: boom 1; retrying in 2s",
                "attempt 2 of 4 failed: boom 2; retrying in 4s",
                "attempt 3 of 4 failed: boom 3; retrying in 5s",
            ],
            retries);
    }

    private sealed class ShellTimeoutException(string message) : TimeoutException(message);

    private sealed class RemoteCommandTimeoutException(string message) : Exception(message);

    private class GitException(string message) : Exception(message);

    private sealed class PushRejectedException(string message) : GitException(message);
}
