using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>Environments, activities, HTTP triggers, OpenAPI and metrics.</summary>
public sealed class CatalogueApisTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Environments_ListAndShow_GiveSecretNamesButNeverValues()
    {
        using var client = _server.Client(TokenRole.Viewer);
        _server.WriteSecretiveEnvironment();

        var list = JsonDocument.Parse(await client.GetStringAsync("/api/environments")).RootElement;
        var shownText = await client.GetStringAsync("/api/environments/secretive");
        var shown = JsonDocument.Parse(shownText).RootElement;

        Assert.Equal(["canary.example", "prod.example", "sandbox", "secretive", "testing-two-groups.example", "testing.example"], list.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["api_token"], shown.GetProperty("secretNames").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["web1", "web2"], shown.GetProperty("groups").GetProperty("group1").GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.DoesNotContain(ServerFixture.SecretiveValue, shownText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environments_UnknownOrPathLikeId_Returns404()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var unknown = await RunsApiTests.ProblemAsync(await client.GetAsync("/api/environments/nope/status"));
        var path = await RunsApiTests.ProblemAsync(await client.GetAsync("/api/environments/..%2F..%2Fworkflows%2Fhotfix"));

        Assert.Equal((404, "no environment 'nope'"), unknown);
        Assert.Equal((404, "no environment '..%2F..%2Fworkflows%2Fhotfix'"), path);
    }

    [Fact]
    public async Task EnvironmentStatus_Sandbox_ReadsTheLoadBalancerNow()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var status = JsonDocument.Parse(await client.GetStringAsync("/api/environments/sandbox/status")).RootElement;

        Assert.Equal(
            ["group1 live web1,web2", "group2 live web3,web4"],
            status.GetProperty("groups").EnumerateArray().Select(g =>
                $"{g.GetProperty("name").GetString()} {g.GetProperty("state").GetString()} {string.Join(',', g.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("name").GetString()))}"));
    }

    [Fact]
    public async Task Activities_Catalogue_HasSchemasTheDesignerBuildsFormsFrom()
    {
        using var client = _server.Client(TokenRole.Viewer);

        var list = JsonDocument.Parse(await client.GetStringAsync("/api/activities")).RootElement;
        var waitMerged = JsonDocument.Parse(await client.GetStringAsync("/api/activities/git.wait-merged")).RootElement;
        var unknown = await RunsApiTests.ProblemAsync(await client.GetAsync("/api/activities/git.wait-merge"));

        Assert.Contains("lb.flip", list.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.True(waitMerged.GetProperty("waits").GetBoolean());
        Assert.Equal("git", waitMerged.GetProperty("provider").GetString());
        Assert.Equal(["branch"], waitMerged.GetProperty("inputs").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(waitMerged.GetProperty("inputs").GetProperty("properties").TryGetProperty("require_checks", out _));
        Assert.True(waitMerged.GetProperty("outputs").GetProperty("properties").TryGetProperty("merged_by", out _));
        Assert.Equal((404, "unknown activity 'git.wait-merge' (did you mean 'git.wait-merged'?)"), unknown);
    }

    [Fact]
    public async Task Trigger_DeclaredHttpPath_StartsTheWorkflowWithPayloadFieldsAsInputs()
    {
        using var client = _server.Client(TokenRole.Operator);

        using var response = await client.PostAsync("/api/triggers/my-team/canary", ServerFixture.Json("""{"note":"from a trigger","unrelated":1}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var run = await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        Assert.Equal("trivial", run.WorkflowId);
        Assert.Equal("http:my-team/canary", run.Trigger);
        Assert.Equal("from a trigger", run.Inputs["note"]);
        Assert.False(run.Inputs.ContainsKey("unrelated"));
    }

    [Fact]
    public async Task Trigger_UnknownPath_Returns404()
    {
        using var client = _server.Client(TokenRole.Operator);

        var problem = await RunsApiTests.ProblemAsync(await client.PostAsync("/api/triggers/my-team/nothing", ServerFixture.Json("{}")));

        Assert.Equal((404, "no published workflow declares on: { http: { path: my-team/nothing } }"), problem);
    }

    [Fact]
    public async Task OpenApi_DocumentsTheRoutes()
    {
        using var client = _server.Client();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/workflows/{id}/runs", paths);
        Assert.Contains("/api/runs/{id}/signals/{name}", paths);
        Assert.Contains("/api/definitions/{id}/diff", paths);
        Assert.Contains("/api/hooks/github", paths);
    }

    [Fact]
    public async Task Metrics_AfterARun_ExposeRunCountersForPrometheus()
    {
        var id = await _server.StartRunAsync("trivial", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        using var client = _server.Client();

        // The exporter caches a scrape briefly; ask again until the new counters are in.
        var text = await Eventually.ValueAsync(
            async () => await client.GetStringAsync("/metrics") is var scrape && scrape.Contains("gantry_runs_succeeded", StringComparison.Ordinal) ? scrape : null,
            "/metrics counts the succeeded run",
            every: TimeSpan.FromMilliseconds(100));

        Assert.Contains("gantry_runs_started_total{", text, StringComparison.Ordinal);
        Assert.Contains("gantry_runs_succeeded_total{", text, StringComparison.Ordinal);
        Assert.Contains("gantry_step_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }
}
