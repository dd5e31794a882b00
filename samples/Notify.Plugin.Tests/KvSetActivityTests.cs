namespace Notify.Plugin.Tests;

public sealed class KvSetActivityTests
{
    private static readonly HttpClient Client = new();

    private static Dictionary<string, object?> Inputs(RecordingServer server, string value) =>
        new() { ["url"] = server.BaseUrl + "/", ["key"] = "opensky/version", ["value"] = value };

    [Fact]
    public async Task Execute_NewKey_ReadsThenWritesAndHasNoPrevious()
    {
        await using var server = await RecordingServer.StartAsync(r => r.Method == "GET" ? (404, "") : (200, "true"));

        var outputs = await TestContext.RunAsync(new KvSetActivity(new NotifyHttp(Client)), TestContext.For("kv.set", Inputs(server, "3.0.1")));

        Assert.Equal(
            [
                new SeenRequest("GET", "/v1/kv/opensky/version?raw", null, null, ""),
                new SeenRequest("PUT", "/v1/kv/opensky/version", null, "text/plain; charset=utf-8", "3.0.1"),
            ],
            server.Requests);
        Assert.Null(outputs["previous"]);
        Assert.Equal(true, outputs["changed"]);
    }

    [Fact]
    public async Task Execute_ExistingKey_OutputsThePreviousValue()
    {
        await using var server = await RecordingServer.StartAsync(r => r.Method == "GET" ? (200, "3.0.0") : (200, "true"));

        var outputs = await TestContext.RunAsync(new KvSetActivity(new NotifyHttp(Client)), TestContext.For("kv.set", Inputs(server, "3.0.1")));

        Assert.Equal(["GET", "PUT"], server.Requests.Select(r => r.Method));
        Assert.Equal("3.0.0", outputs["previous"]);
        Assert.Equal(true, outputs["changed"]);
    }

    [Fact]
    public async Task Execute_RunAgainWithTheSameValue_DoesNotWrite()
    {
        await using var server = await RecordingServer.StartAsync(r => r.Method == "GET" ? (200, "3.0.1") : (500, "must not write"));

        var outputs = await TestContext.RunAsync(new KvSetActivity(new NotifyHttp(Client)), TestContext.For("kv.set", Inputs(server, "3.0.1")));

        Assert.Equal(["GET"], server.Requests.Select(r => r.Method));
        Assert.Equal("3.0.1", outputs["previous"]);
        Assert.Equal(false, outputs["changed"]);
    }

    [Fact]
    public async Task Execute_StoreRefusesTheWrite_SaysWhichUrlAndStatus()
    {
        await using var server = await RecordingServer.StartAsync(r => r.Method == "GET" ? (404, "") : (403, "ACL not found"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestContext.RunAsync(new KvSetActivity(new NotifyHttp(Client)), TestContext.For("kv.set", Inputs(server, "3.0.1"))));

        Assert.Equal($"kv.set: PUT {server.BaseUrl}/v1/kv/opensky/version answered 403 Forbidden: ACL not found", error.Message);
    }
}
