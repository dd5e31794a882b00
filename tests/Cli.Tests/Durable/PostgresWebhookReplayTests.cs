using System.Text;
using System.Text.Json;
using Gantry.Testing.Fleet;
using Gantry.Server.Security;

namespace Gantry.Cli.Tests.Durable;

/// <summary>
/// Webhook replay protection across two real <c>gantry serve</c> processes, each with its own workspace and data
/// folder (two machines), sharing one PostgreSQL store: a delivery captured on its way to one server and sent to
/// the other is refused.
/// </summary>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresWebhookReplayTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Secret = "merge-gate-secret-3.0.1";
    private readonly List<GantryProcess> _servers = [];
    private readonly HttpClient _http = new();
    private readonly List<DurableWorkspace> _workspaces = [];
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateSchemaAsync();

    public async Task DisposeAsync()
    {
        _servers.ForEach(s => s.Dispose());
        _http.Dispose();
        foreach (var workspace in _workspaces)
        {
            await workspace.DisposeAsync();
        }

        await postgres.DropSchemaAsync(_db);
    }

    [Fact]
    public async Task MergeGateDelivery_ReplayedToTheOtherServer_IsRefused()
    {
        var first = await StartServerAsync();
        var second = await StartServerAsync();
        var body = PullRequestClosedBody(DateTimeOffset.UtcNow);

        var delivered = await DeliverAsync(first, body, "d-1");
        // The attacker's copy: the same signed body, with another (unsigned) delivery id, to the other node.
        var replayed = await DeliverAsync(second, body, "d-2");
        var replayedAgain = await DeliverAsync(first, body, null);

        Assert.DoesNotContain("replay refused", delivered.GetProperty("reason").GetString(), StringComparison.Ordinal);
        foreach (var replay in new[] { replayed, replayedAgain })
        {
            Assert.StartsWith("replay refused: a delivery with the same signed body (sha256 ", replay.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("; it started or resumed nothing", replay.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, replay.GetProperty("signalledRuns").GetArrayLength());
        }
    }

    [Fact]
    public async Task MergeGateDelivery_OtherBodyOnTheOtherServer_IsNotTakenForAReplay()
    {
        var first = await StartServerAsync();
        var second = await StartServerAsync();
        var at = DateTimeOffset.UtcNow;

        var one = await DeliverAsync(first, PullRequestClosedBody(at), "d-1");
        var other = await DeliverAsync(second, PullRequestClosedBody(at.AddSeconds(1)), "d-2");

        Assert.DoesNotContain("replay refused", one.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("replay refused", other.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> StartServerAsync()
    {
        var workspace = await DurableWorkspace.CreateAsync(_db);
        _workspaces.Add(workspace);
        workspace.Write("webhook-secret", Secret + "\n");
        var server = workspace.Start("serve", "--urls", "http://127.0.0.1:0", "--github-webhook-secret-file", Path.Combine(workspace.Root, "webhook-secret"));
        _servers.Add(server);
        string? url = null;
        await DurableWorkspace.WaitForAsync(
            () =>
            {
                url = server.Output.Select(line => line.IndexOf("Now listening on: ", StringComparison.Ordinal) is var at and >= 0 ? line[(at + "Now listening on: ".Length)..].Trim() : null).FirstOrDefault(u => u is not null);
                return Task.FromResult(url is not null || server.HasExited);
            },
            TimeSpan.FromSeconds(60),
            () => $"gantry serve to listen (it said: {string.Join(" | ", server.Output)})");
        Assert.False(server.HasExited, string.Join(" | ", server.Output));
        return url!;
    }

    private async Task<JsonElement> DeliverAsync(string server, string body, string? deliveryId)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{server}/api/hooks/github") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add(GitHubSignature.Header, GitHubSignature.Sign(Secret, bytes));
        if (deliveryId is not null)
        {
            request.Headers.Add("X-GitHub-Delivery", deliveryId);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>GitHub's pull_request "closed" (merged) event, as the merge gate receives it.</summary>
    private static string PullRequestClosedBody(DateTimeOffset at) => JsonSerializer.Serialize(new
    {
        action = "closed",
        number = 42,
        pull_request = new
        {
            number = 42,
            merged = true,
            updated_at = at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            head = new { @ref = "fix-the-bug", sha = "5f3c0d7e9a1b2c3d4e5f60718293a4b5c6d7e8f9" },
            @base = new { @ref = "hotfix/3.0.1" },
        },
        repository = new { full_name = "opensky/opensky" },
    });
}
