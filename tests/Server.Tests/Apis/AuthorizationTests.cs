using System.Net;
using Gantry.Engine.Runtime;
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
        { "POST", "/api/definitions/trivial/validate", TokenRole.Operator, HttpStatusCode.OK },
    };

    /// <summary>Every read route (a viewer's token is enough) and what it answers here; {run} is a finished run of this server.</summary>
    public static TheoryData<string, string, HttpStatusCode> ReadRoutes => new()
    {
        { "GET", "/api/definitions", HttpStatusCode.OK },
        { "GET", "/api/definitions/hotfix", HttpStatusCode.OK },
        { "GET", "/api/definitions/hotfix/versions", HttpStatusCode.OK },
        { "GET", "/api/definitions/hotfix/versions/1", HttpStatusCode.OK },
        { "GET", "/api/definitions/hotfix/diff?from=1&to=1", HttpStatusCode.OK },
        { "GET", "/api/runs", HttpStatusCode.OK },
        { "GET", "/api/runs/{run}", HttpStatusCode.OK },
        { "GET", "/api/runs/{run}/events", HttpStatusCode.OK },
        { "GET", "/api/environments", HttpStatusCode.OK },
        { "GET", "/api/environments/sandbox", HttpStatusCode.OK },
        { "GET", "/api/activities", HttpStatusCode.OK },
        { "GET", "/api/activities/log", HttpStatusCode.OK },
        { "GET", "/api/plugins", HttpStatusCode.OK },
        { "GET", "/api/me", HttpStatusCode.OK },
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
    public async Task MutatingRoute_EachRole_401AnonymousForbiddenBelowItsRoleAndServedFromIt(string method, string path, TokenRole needed, HttpStatusCode allowed)
    {
        foreach (var role in Roles)
        {
            using var client = _server.Client(role);
            using var response = await client.SendAsync(Request(method, path));
            var expected = role is null ? HttpStatusCode.Unauthorized : role < needed ? HttpStatusCode.Forbidden : allowed;
            await AssertStatusAsync(expected, role, method, path, response);
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
    public async Task ReadRoute_EachRole_401WithoutTokenAndServedToEveryRole(string method, string path, HttpStatusCode served)
    {
        path = await WithSeededRunAsync(path);
        foreach (var role in Roles)
        {
            using var client = _server.Client(role);
            using var response = await client.SendAsync(Request(method, path));
            await AssertStatusAsync(role is null ? HttpStatusCode.Unauthorized : served, role, method, path, response);
        }
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

    /// <summary>No token, then each role's token.</summary>
    private static readonly TokenRole?[] Roles = [null, TokenRole.Viewer, TokenRole.Operator, TokenRole.Admin];

    private static async Task AssertStatusAsync(HttpStatusCode expected, TokenRole? role, string method, string path, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{role?.ToString() ?? "anonymous"} {method} {path}: expected {expected}, got {response.StatusCode}: {body}");
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>Replaces {run} with the id of a run that finished on this server.</summary>
    private async Task<string> WithSeededRunAsync(string path)
    {
        if (!path.Contains("{run}", StringComparison.Ordinal))
        {
            return path;
        }

        var run = await _server.StartRunAsync("trivial", new { inputs = new { note = "seed" } });
        await _server.WaitForStatusAsync(run, RunStatus.Succeeded);
        return path.Replace("{run}", run, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (path.EndsWith("/versions", StringComparison.Ordinal) || path.EndsWith("/validate", StringComparison.Ordinal))
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
