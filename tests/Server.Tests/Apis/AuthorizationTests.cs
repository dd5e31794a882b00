using System.Net;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class AuthorizationTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    /// <summary>Every mutating route, the least role it needs, and what it answers that role here.</summary>
    public static TheoryData<string, string, TokenRole, HttpStatusCode> MutatingRoutes => new()
    {
        { "POST", "/api/definitions/trivial/versions", TokenRole.Admin, HttpStatusCode.OK },
        { "POST", "/api/definitions/trivial/versions/1/publish", TokenRole.Admin, HttpStatusCode.OK },
        { "DELETE", "/api/definitions/no-such-definition", TokenRole.Admin, HttpStatusCode.NotFound },
        { "POST", "/api/workflows/trivial/runs", TokenRole.Operator, HttpStatusCode.Accepted },
        { "POST", "/api/runs/no-such-run/cancel", TokenRole.Operator, HttpStatusCode.NotFound },
        { "POST", "/api/runs/no-such-run/signals/approve", TokenRole.Operator, HttpStatusCode.NotFound },
        { "POST", "/api/triggers/my-team/canary", TokenRole.Operator, HttpStatusCode.Accepted },
    };

    public static TheoryData<string> ReadRoutes => new()
    {
        "/api/definitions", "/api/definitions/hotfix", "/api/runs", "/api/environments", "/api/environments/sandbox", "/api/activities", "/api/plugins",
    };

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(MutatingRoutes))]
    public async Task MutatingRoute_WithoutToken_Returns401ProblemJson(string method, string path, TokenRole needed, HttpStatusCode allowed)
    {
        _ = (needed, allowed);
        using var client = _server.Client();
        using var response = await client.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(MutatingRoutes))]
    public async Task MutatingRoute_EachRole_ForbiddenBelowItsRoleAndServedFromIt(string method, string path, TokenRole needed, HttpStatusCode allowed)
    {
        foreach (var role in Enum.GetValues<TokenRole>())
        {
            using var client = _server.Client(role);
            using var response = await client.SendAsync(Request(method, path));
            var expected = role < needed ? HttpStatusCode.Forbidden : allowed;
            Assert.True(expected == response.StatusCode, $"{role} {method} {path}: expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (expected == HttpStatusCode.Forbidden)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task AnyRoute_UnknownToken_Returns401()
    {
        using var client = _server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "gantry_not-a-real-token");

        using var read = await client.GetAsync("/api/runs");
        using var write = await client.SendAsync(Request("POST", "/api/workflows/trivial/runs"));

        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public async Task ReadRoute_WithoutToken_Returns401AndWithViewerToken_Returns200(string path)
    {
        using var anonymous = _server.Client();
        using var viewer = _server.Client(TokenRole.Viewer);

        using var denied = await anonymous.GetAsync(path);
        using var served = await viewer.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task AnonymousReadServer_ServesGetsWithoutTokenButStillRefusesMutations()
    {
        await using var server = await ServerFixture.StartAsync(allowAnonymousRead: true);
        using var client = server.Client();

        using var read = await client.GetAsync("/api/definitions");
        using var write = await client.SendAsync(Request("POST", "/api/workflows/trivial/runs"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Fact]
    public async Task HealthAndReadiness_AnswerWithoutToken()
    {
        using var client = _server.Client();

        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal("ready", await client.GetStringAsync("/readyz"));
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (path.EndsWith("/versions", StringComparison.Ordinal))
        {
            request.Content = ServerFixture.Yaml(TestWorkflows.Trivial + "\n");
        }
        else if (path.Contains("/runs", StringComparison.Ordinal) && path.StartsWith("/api/workflows", StringComparison.Ordinal))
        {
            request.Content = ServerFixture.Json("""{"inputs":{"note":"auth"}}""");
        }
        else if (path.StartsWith("/api/triggers", StringComparison.Ordinal))
        {
            request.Content = ServerFixture.Json("""{"note":"trigger"}""");
        }

        return request;
    }
}
