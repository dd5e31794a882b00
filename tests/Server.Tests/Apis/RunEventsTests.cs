using System.Net;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class RunEventsTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Events_FollowARunLive_InJournalOrderAndEndWhenItFinishes()
    {
        var id = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Viewer);
        using var operatorClient = _server.Client(TokenRole.Operator);

        var reading = ReadEventsAsync(client, $"/api/runs/{id}/events", null);
        using (await operatorClient.PostAsync($"/api/runs/{id}/signals/approve", null))
        {
        }

        var events = await reading;
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);

        Assert.Equal(journal.Select(e => (e.Sequence, e.Type)), events.Select(e => (e.Id, e.Type)));
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal("run.finished", events[^1].Type);
        Assert.Contains("\"status\":\"succeeded\"", events[^1].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_WithLastEventId_ResumeAfterThatEvent()
    {
        var id = await _server.StartRunAsync("trivial", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        using var client = _server.Client(TokenRole.Viewer);

        var all = await ReadEventsAsync(client, $"/api/runs/{id}/events", null);
        var resumed = await ReadEventsAsync(client, $"/api/runs/{id}/events", "3");

        Assert.True(all.Count > 4);
        Assert.Equal(all.Skip(3), resumed);
    }

    [Fact]
    public async Task Events_UnknownRunOrBadLastEventId_ReturnProblems()
    {
        var id = await _server.StartRunAsync("trivial", new { });
        using var client = _server.Client(TokenRole.Viewer);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{id}/events");
        request.Headers.Add("Last-Event-ID", "yesterday");

        var unknown = await RunsApiTests.ProblemAsync(await client.GetAsync("/api/runs/nope/events"));
        var bad = await RunsApiTests.ProblemAsync(await client.SendAsync(request));

        Assert.Equal((404, "no run with id 'nope'"), unknown);
        Assert.Equal((400, "Last-Event-ID must be an event sequence number, not 'yesterday'"), bad);
    }

    internal static async Task<List<SseEvent>> ReadEventsAsync(HttpClient client, string path, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<SseEvent>();
        var fields = new Dictionary<string, string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                events.Add(new SseEvent(long.Parse(fields["id"]), fields["event"], fields["data"]));
                fields.Clear();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            fields[line[..colon]] = line[(colon + 1)..].TrimStart();
        }

        return events;
    }

    internal sealed record SseEvent(long Id, string Type, string Data);
}
