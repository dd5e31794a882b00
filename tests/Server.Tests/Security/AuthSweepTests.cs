using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Fixtures;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Server.Tests.Security;

/// <summary>
/// Every endpoint the server maps, read from ASP.NET's endpoint data source, has exactly the policy
/// listed here; the routes anyone may call are listed explicitly. A new route without a policy (or
/// with another one) fails this test, and every protected route answers 401 to a caller without a token.
/// </summary>
public sealed partial class AuthSweepTests : IAsyncLifetime
{
    private const string Anonymous = "anonymous";

    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        // Anyone: liveness and readiness, the API description, metrics, and GitHub (it proves itself by signature).
        ["GET /healthz"] = Anonymous,
        ["GET /readyz"] = Anonymous,
        ["GET /openapi/{documentName}.json"] = Anonymous,
        ["GET /scalar/{documentName?}"] = Anonymous,
        ["GET /scalar/favicon.svg"] = Anonymous,
        ["GET /scalar/scalar.js"] = Anonymous,
        ["GET /scalar/scalar.aspnetcore.js"] = Anonymous,
        ["ANY /metrics"] = Anonymous,
        ["POST /api/hooks/github"] = Anonymous,

        ["GET /api/definitions/"] = "read",
        ["GET /api/definitions/{id}"] = "read",
        ["GET /api/definitions/{id}/versions"] = "read",
        ["GET /api/definitions/{id}/versions/{version:int}"] = "read",
        ["GET /api/definitions/{id}/diff"] = "read",
        ["POST /api/definitions/{id}/validate"] = "operate",
        ["POST /api/definitions/{id}/versions"] = "administer",
        ["POST /api/definitions/{id}/versions/{version:int}/publish"] = "administer",
        ["DELETE /api/definitions/{id}"] = "administer",
        ["POST /api/workflows/{id}/runs"] = "operate",
        ["GET /api/runs/"] = "read",
        ["GET /api/runs/{id}"] = "read",
        ["GET /api/runs/{id}/events"] = "read",
        ["POST /api/runs/{id}/cancel"] = "operate",
        ["POST /api/runs/{id}/signals/{name}"] = "operate",
        ["POST /api/runs/{id}/retry"] = "operate",
        ["POST /api/runs/{id}/answer"] = "operate",
        ["GET /api/environments/"] = "read",
        ["GET /api/environments/{id}"] = "read",
        ["GET /api/environments/{id}/status"] = "read",
        ["GET /api/activities/"] = "read",
        ["GET /api/activities/{name}"] = "read",
        ["GET /api/plugins"] = "read",
        ["POST /api/triggers/{**path}"] = "operate",
        ["GET /api/me"] = "read",
        ["DELETE /api/tokens/{name}"] = "administer",
    };

    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IReadOnlyDictionary<string, string> Mapped() =>
        _server.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => (Key: $"{m} {e.RoutePattern.RawText}", Policy: PolicyOf(e))))
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(e => e.Policy).Distinct()), StringComparer.Ordinal);

    private static string PolicyOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? Anonymous
        : endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList() is { Count: > 0 } policies ? string.Join(", ", policies)
        : "NO POLICY";

    [Fact]
    public void EveryMappedEndpoint_HasExactlyItsListedPolicy()
    {
        var mapped = Mapped();
        var differences = mapped.Keys.Union(Expected.Keys)
            .Where(key => mapped.GetValueOrDefault(key) != Expected.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal)
            .Select(key => $"{key}: mapped {mapped.GetValueOrDefault(key) ?? "(not mapped)"}, expected {Expected.GetValueOrDefault(key) ?? "(not listed: add it with its policy)"}")
            .ToList();

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public async Task EveryProtectedEndpoint_WithoutAToken_Answers401()
    {
        using var client = _server.Client();
        var answers = new List<string>();
        foreach (var (key, policy) in Mapped().Where(e => e.Value != Anonymous))
        {
            var (method, pattern) = (key.Split(' ')[0], key.Split(' ')[1]);
            var path = RouteParameter().Replace(pattern, m => m.Value.Contains(":int", StringComparison.Ordinal) ? "1" : "probe");
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = ServerFixture.Json("{}") });
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                answers.Add($"{method} {path} ({policy}): {(int)response.StatusCode}");
            }
        }

        Assert.True(answers.Count == 0, string.Join("\n", answers));
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
