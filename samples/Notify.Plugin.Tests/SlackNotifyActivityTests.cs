namespace Notify.Plugin.Tests;

public sealed class SlackNotifyActivityTests
{
    private static readonly HttpClient Client = new();

    private static Dictionary<string, string> Webhook(RecordingServer server) => new() { ["slack_webhook"] = $"{server.BaseUrl}/services/T000/B000/s3cr3tpath" };

    [Fact]
    public async Task Execute_PostsTextAsJsonWithIdempotencyKeyOfRunAndStep()
    {
        await using var server = await RecordingServer.StartAsync(_ => (200, "ok"));
        var context = TestContext.For("notify.slack", new() { ["text"] = "Deployed 3.0.1" }, Webhook(server));

        var outputs = await TestContext.RunAsync(new SlackNotifyActivity(new NotifyHttp(Client)), context);

        var request = Assert.Single(server.Requests);
        Assert.Equal(new SeenRequest("POST", "/services/T000/B000/s3cr3tpath", "run-1/steps[2]", "application/json; charset=utf-8", "{\"text\":\"Deployed 3.0.1\"}"), request);
        Assert.Equal(200L, outputs["status"]);
        Assert.Equal("run-1/steps[2]", outputs["idempotency_key"]);
    }

    [Fact]
    public async Task Execute_WebhookAnswersError_SaysWhereAndMasksTheSecretUrl()
    {
        // The receiver echoes the whole webhook URL back: the error must not reveal it.
        string? hook = null;
        await using var server = await RecordingServer.StartAsync(r => (500, $"no such hook {r.PathAndQuery} at {hook}"));
        hook = Webhook(server)["slack_webhook"];
        var context = TestContext.For("notify.slack", new() { ["text"] = "hi" }, Webhook(server));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestContext.RunAsync(new SlackNotifyActivity(new NotifyHttp(Client)), context));

        Assert.Equal($"notify.slack: POST to the webhook in secret 'slack_webhook' (127.0.0.1:{server.Port}) answered 500 Internal Server Error: no such hook *** at ***", error.Message);
    }

    [Fact]
    public async Task Execute_CancelledWhileTheWebhookIsSlow_StopsWithCancellation()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RecordingServer.StartAsync(_ =>
        {
            arrived.TrySetResult();
            return release.Task;
        });
        using var cancel = new CancellationTokenSource();
        var context = TestContext.For("notify.slack", new() { ["text"] = "hi" }, Webhook(server));

        var running = TestContext.RunAsync(new SlackNotifyActivity(new NotifyHttp(Client)), context, cancel.Token);
        await arrived.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        release.SetResult((200, "late"));
    }

    [Fact]
    public async Task Execute_SecretMissing_NamesTheSecret()
    {
        var context = TestContext.For("notify.slack", new() { ["text"] = "hi", ["webhook_secret"] = "team_hook" });

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => TestContext.RunAsync(new SlackNotifyActivity(new NotifyHttp(Client)), context));

        Assert.Equal("secret 'team_hook' is not defined", error.Message);
    }
}
