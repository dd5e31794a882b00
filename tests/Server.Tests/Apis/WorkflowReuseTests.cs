using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>Another team's published workflow called by id and version, and deleting a workflow that others call.</summary>
public sealed class WorkflowReuseTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Shared(string edition) => $$"""
        id: shared-steps
        steps:
          - id: go
            uses: wait
            with: { signal: go }
        outputs:
          edition: "{{edition}}"
        """;

    private const string Caller = """
        id: team-rollout
        steps:
          - id: pinned
            uses: workflow.call
            with: { workflow: shared-steps, version: 1 }
          - id: latest
            uses: workflow.call
            with: { workflow: shared-steps }
          - id: report
            uses: log
            with: { message: "pinned {{ steps.pinned.outputs.edition }}, latest {{ steps.latest.outputs.edition }}" }
        """;

    [Fact]
    public async Task PinnedCall_NewerVersionPublishedWhileRunning_KeepsRunningThePinnedVersion()
    {
        using var admin = _server.Client(TokenRole.Admin);
        await PublishAsync(admin, "shared-steps", Shared("first"));
        await PublishAsync(admin, "team-rollout", Caller);
        var early = await _server.StartRunAsync("team-rollout", new { });
        await _server.WaitForStatusAsync(early, RunStatus.Waiting);

        await PublishAsync(admin, "shared-steps", Shared("second"));
        var late = await _server.StartRunAsync("team-rollout", new { });
        await _server.WaitForStatusAsync(late, RunStatus.Waiting);
        foreach (var id in new[] { early, late })
        {
            await SignalAsync(id, waitsSoFar: 1);
            await SignalAsync(id, waitsSoFar: 2);
        }

        Assert.Equal(RunStatus.Succeeded, (await _server.WaitForStatusAsync(early, RunStatus.Succeeded, RunStatus.Failed)).Status);
        Assert.Equal(RunStatus.Succeeded, (await _server.WaitForStatusAsync(late, RunStatus.Succeeded, RunStatus.Failed)).Status);
        Assert.Equal("pinned first, latest first", await ReportAsync(early));
        Assert.Equal("pinned first, latest second", await ReportAsync(late));
    }

    [Fact]
    public async Task PinnedCall_ToADraftVersion_IsRefusedNamingTheCall()
    {
        using var admin = _server.Client(TokenRole.Admin);
        await PublishAsync(admin, "shared-steps", Shared("first"));
        using var draft = await admin.PostAsync("/api/definitions/shared-steps/versions", ServerFixture.Yaml(Shared("draft")));
        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        await PublishAsync(admin, "team-rollout", Caller.Replace("version: 1", "version: 2", StringComparison.Ordinal));

        using var operatorClient = _server.Client(TokenRole.Operator);
        var problem = await RunsApiTests.ProblemAsync(await operatorClient.PostAsync("/api/workflows/team-rollout/runs", ServerFixture.Json("{}")));

        Assert.Equal((400, "team-rollout.yaml:3:5 steps[0]: workflow.call of 'shared-steps' version 2: that version is a draft; only published versions can be called"), problem);
    }

    [Fact]
    public async Task Save_PinnedOldVersionWithAnInputTheLatestDropped_IsCheckedAgainstThePinnedVersion()
    {
        using var admin = _server.Client(TokenRole.Admin);
        await PublishAsync(admin, "shared-steps", Shared("first").Replace("steps:", "inputs:\n  colour: { type: string, required: true }\nsteps:", StringComparison.Ordinal));
        await PublishAsync(admin, "shared-steps", Shared("second"));
        const string Pinned = """
            id: team-paint
            steps:
              - uses: workflow.call
                with: { workflow: shared-steps, version: 1, inputs: { colour: red } }
            """;

        using var onePinned = await admin.PostAsync("/api/definitions/team-paint/versions", ServerFixture.Yaml(Pinned));
        using var latest = await admin.PostAsync("/api/definitions/team-paint/versions", ServerFixture.Yaml(Pinned.Replace("version: 1, ", "", StringComparison.Ordinal)));
        using var sevenPinned = await admin.PostAsync("/api/definitions/team-paint/versions", ServerFixture.Yaml(Pinned.Replace("version: 1", "version: 7", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Created, onePinned.StatusCode);
        Assert.Equal(["team-paint.yaml:4:47 steps[0].with.inputs.colour: workflow 'shared-steps' has no input 'colour'; it declares no inputs"], await ErrorsAsync(latest));
        Assert.Equal(["team-paint.yaml:4:46 steps[0].with.version: workflow 'shared-steps' has no version 7 (latest is 2)"], await ErrorsAsync(sevenPinned));
    }

    [Fact]
    public async Task Delete_WorkflowOthersCall_Is409NamingEveryCallerAndVersion()
    {
        using var admin = _server.Client(TokenRole.Admin);
        await PublishAsync(admin, "shared-steps", Shared("first"));
        await PublishAsync(admin, "team-rollout", Caller);

        using var response = await admin.DeleteAsync("/api/definitions/shared-steps");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Definition in use", body.GetProperty("title").GetString());
        Assert.Equal(
            "workflow 'shared-steps' cannot be deleted: it is called by team-rollout v1 (calls version 1), team-rollout v1 (calls the published version); change or delete those callers first",
            body.GetProperty("detail").GetString());
        Assert.Equal(
            ["team-rollout v1 1", "team-rollout v1 "],
            body.GetProperty("callers").EnumerateArray().Select(c => $"{c.GetProperty("id").GetString()} v{c.GetProperty("version").GetInt32()} {(c.TryGetProperty("calledVersion", out var v) ? v.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/definitions/shared-steps")).StatusCode);
    }

    [Fact]
    public async Task Delete_RollingDeployThatTheShippedWorkflowsCall_NamesEveryCaller()
    {
        using var admin = _server.Client(TokenRole.Admin);

        var problem = await RunsApiTests.ProblemAsync(await admin.DeleteAsync("/api/definitions/rolling-deploy"));

        Assert.Equal(
            (409, "workflow 'rolling-deploy' cannot be deleted: it is called by daily-release v1 (calls the published version), deploy-testing v1 (calls the published version), hotfix v1 (calls the published version); change or delete those callers first"),
            problem);
    }

    [Fact]
    public async Task Delete_CallerFirstThenTheCalledWorkflow_DeletesBothAndForgetsThem()
    {
        using var admin = _server.Client(TokenRole.Admin);
        await PublishAsync(admin, "shared-steps", Shared("first"));
        await PublishAsync(admin, "team-rollout", Caller);

        using var caller = await admin.DeleteAsync("/api/definitions/team-rollout");
        using var called = await admin.DeleteAsync("/api/definitions/shared-steps");
        var again = await RunsApiTests.ProblemAsync(await admin.DeleteAsync("/api/definitions/shared-steps"));

        Assert.Equal(HttpStatusCode.NoContent, caller.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, called.StatusCode);
        Assert.Equal((404, "no definition 'shared-steps'"), again);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/definitions/shared-steps")).StatusCode);
        await PublishAsync(admin, "shared-steps", Shared("reborn"));
        Assert.Contains("reborn", JsonDocument.Parse(await admin.GetStringAsync("/api/definitions/shared-steps")).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_WithOperatorToken_IsForbidden()
    {
        using var operatorClient = _server.Client(TokenRole.Operator);

        using var response = await operatorClient.DeleteAsync("/api/definitions/trivial");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static async Task PublishAsync(HttpClient admin, string id, string yaml)
    {
        using var response = await admin.PostAsync($"/api/definitions/{id}/versions?publish=true", ServerFixture.Yaml(yaml));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<string>> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return problem.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()} {e.GetProperty("path").GetString()}: {e.GetProperty("message").GetString()}")
            .ToList();
    }

    /// <summary>Signals 'go' once the run has reached its <paramref name="waitsSoFar"/>-th wait (one per call).</summary>
    private async Task SignalAsync(string runId, int waitsSoFar)
    {
        await Eventually.TrueAsync(
            async () => (await _server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None)).Count(e => e.Type == JournalEventTypes.StepWaiting && e.StepId == "go") >= waitsSoFar,
            $"run {runId} waits for 'go' the {waitsSoFar}. time",
            TimeSpan.FromSeconds(120),
            every: TimeSpan.FromMilliseconds(50));

        await _server.WaitForStatusAsync(runId, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);
        using var response = await client.PostAsync($"/api/runs/{runId}/signals/go", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    /// <summary>What the caller's last step saw of its two calls' outputs.</summary>
    private async Task<string?> ReportAsync(string runId)
    {
        var journal = await _server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        var report = journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "report").Outputs;
        return report is IReadOnlyDictionary<string, object?> outputs ? Convert.ToString(outputs["message"], System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
