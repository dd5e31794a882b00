using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>
/// Starting the published deploy-testing over HTTP on an environment copied from the sandbox: without
/// vars.smoke_url the start is refused (400 problem+json naming the key and where the workflow reads
/// it) and no run exists; with it the run starts.
/// </summary>
public sealed class EnvironmentReferenceApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Start_EnvironmentWithoutAVarTheWorkflowReads_Is400NamingItAndCreatesNoRun()
    {
        WriteTestingCopy(vars: null);
        using var client = _server.Client(TokenRole.Operator);

        var (status, detail) = await RunsApiTests.ProblemAsync(await client.PostAsync("/api/workflows/deploy-testing/runs", ServerFixture.Json("""{"environment":"testing-copy"}""")));

        Assert.Equal(400, status);
        Assert.Equal(
            $"workflow deploy-testing reads what environment testing-copy does not have:{Environment.NewLine}"
            + "  deploy-testing.yaml:31:22 steps[2].with.url: environment 'testing-copy' has no 'vars.smoke_url'; its vars is empty",
            detail);
        Assert.Empty(await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "deploy-testing" }, CancellationToken.None));
    }

    [Fact]
    public async Task Start_EnvironmentWithTheVar_StartsTheRun()
    {
        WriteTestingCopy(vars: "vars:\n  smoke_url: http://127.0.0.11:8080/\n");
        using var client = _server.Client(TokenRole.Operator);

        using var response = await client.PostAsync("/api/workflows/deploy-testing/runs", ServerFixture.Json("""{"environment":"testing-copy"}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var cancel = await client.PostAsync($"/api/runs/{id}/cancel", null);
        var run = await _server.WaitForStatusAsync(id, RunStatus.Cancelled, RunStatus.Failed, RunStatus.Succeeded);
        Assert.Equal("testing-copy", run.EnvironmentId);
    }

    private void WriteTestingCopy(string? vars)
    {
        var environments = Path.Combine(_server.Workspace, "workflows", "environments");
        var sandbox = File.ReadAllText(Path.Combine(environments, "sandbox.yaml")).Replace("id: sandbox", "id: testing-copy", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(environments, "testing-copy.yaml"), sandbox.TrimEnd() + "\n" + (vars ?? ""));
    }
}
