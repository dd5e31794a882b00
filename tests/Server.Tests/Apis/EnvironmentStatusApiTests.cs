using System.Net;
using System.Text.Json;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary><c>GET /api/environments/{id}/status</c>: the fleet as it is now, for a read-only token.</summary>
public sealed class EnvironmentStatusApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_ViewerToken_ListsEveryHostsReleaseHealthAndLoadBalancerView()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var status = JsonDocument.Parse(await client.GetStringAsync("/api/environments/sandbox/status")).RootElement;

        Assert.Equal("sandbox", status.GetProperty("environment").GetString());
        Assert.False(status.TryGetProperty("loadBalancerError", out _), "the load balancer was read, so there is no error to report");
        Assert.Equal(
            ["group1 live web1 v3.0.0 [v3.0.0] True True", "group1 live web2 v3.0.0 [v3.0.0] True True", "group2 live web3 v3.0.0 [v3.0.0] True True", "group2 live web4 v3.0.0 [v3.0.0] True True"],
            status.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("hosts").EnumerateArray().Select(h =>
                $"{g.GetProperty("name").GetString()} {g.GetProperty("state").GetString()} {h.GetProperty("name").GetString()} {h.GetProperty("current").GetString()} "
                + $"[{string.Join(",", h.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("name").GetString()))}] "
                + $"{h.GetProperty("healthy").GetBoolean()} {h.GetProperty("balancer").GetProperty("live").GetBoolean()}")));
    }

    [Fact]
    public async Task Status_WithoutToken_Returns401()
    {
        using var client = _server.Client(role: null);

        var response = await client.GetAsync("/api/environments/sandbox/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
