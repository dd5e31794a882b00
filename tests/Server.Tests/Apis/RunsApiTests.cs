using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class RunsApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Start_Returns202WithLocationAndTheRunSucceedsInTheBackground()
    {
        using var client = _server.Client(TokenRole.Operator);

        using var response = await client.PostAsync("/api/workflows/trivial/runs", ServerFixture.Json("""{"inputs":{"note":"world"}}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = run.GetProperty("id").GetString()!;
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.ToString());
        Assert.Equal("operator-token", run.GetProperty("startedBy").GetString());
        Assert.Equal("http", run.GetProperty("trigger").GetString());
        Assert.Equal(RunStatus.Succeeded, (await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed)).Status);
        var shown = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}")).RootElement;
        Assert.Equal("succeeded", shown.GetProperty("run").GetProperty("status").GetString());
        var logged = shown.GetProperty("journal").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "log");
        Assert.Equal("hello world", logged.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Start_SameIdempotencyKeyTwice_ReturnsTheSameRunAndCreatesOne()
    {
        var first = await _server.StartRunAsync("trivial", new { inputs = new { note = "once" } }, idempotencyKey: "deploy-42");
        var second = await _server.StartRunAsync("trivial", new { inputs = new { note = "twice" } }, idempotencyKey: "deploy-42");
        var other = await _server.StartRunAsync("trivial", new { inputs = new { note = "other" } }, idempotencyKey: "deploy-43");

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        await _server.WaitForStatusAsync(first, RunStatus.Succeeded);
        await _server.WaitForStatusAsync(other, RunStatus.Succeeded);
        var runs = await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "trivial" }, CancellationToken.None);
        Assert.Equal(2, runs.Count);
        Assert.Equal("once", (await _server.Runs.GetRunAsync(first, CancellationToken.None))!.Inputs["note"]);
    }

    [Fact]
    public async Task Start_KeyOfAnExistingRunWithInputsThatDoNotBind_ReplaysThatRunElseRefusesThem()
    {
        // A start inserts before it looks: a key that names a run answers with it even when this request's own start
        // would fail (its inputs, environment or concurrency key as they are now), as a start that looked first did.
        var first = await _server.StartRunAsync("trivial", new { inputs = new { note = "once" } }, idempotencyKey: "deploy-44");
        using var client = _server.Client(TokenRole.Operator);

        var replay = await SendKeyedAsync(client, "deploy-44", """{"inputs":{"nope":1}}""");
        var fresh = await SendKeyedAsync(client, "deploy-45", """{"inputs":{"nope":1}}""");

        Assert.Equal((HttpStatusCode.Accepted, first, "true"), replay);
        Assert.Equal(HttpStatusCode.BadRequest, fresh.Status);
        Assert.Single(await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "trivial" }, CancellationToken.None));
    }

    private static async Task<(HttpStatusCode Status, string? RunId, string? Replayed)> SendKeyedAsync(HttpClient client, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/trivial/runs") { Content = ServerFixture.Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var id = response.StatusCode == HttpStatusCode.Accepted ? JsonDocument.Parse(text).RootElement.GetProperty("id").GetString() : null;
        return (response.StatusCode, id, response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) ? replayed.Single() : null);
    }

    [Fact]
    public async Task Start_ConcurrentRequestsWithOneKey_CreateOneRun()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _server.StartRunAsync("trivial", new { inputs = new { note = "race" } }, idempotencyKey: "race")));

        Assert.Single(ids.Distinct());
        await _server.WaitForStatusAsync(ids[0], RunStatus.Succeeded);
        await _server.Engine.WhenIdleAsync();
        var journal = await _server.Runs.ReadJournalAsync(ids[0], 0, CancellationToken.None);
        Assert.Single(journal, e => e.Type == JournalEventTypes.RunStarted);
        Assert.Single(await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "trivial" }, CancellationToken.None));
    }

    [Fact]
    public async Task Start_UnknownWorkflowEnvironmentOrBadInputs_ReturnsProblems()
    {
        using var client = _server.Client(TokenRole.Operator);

        var unknown = await ProblemAsync(await client.PostAsync("/api/workflows/trivail/runs", ServerFixture.Json("{}")));
        var environment = await ProblemAsync(await client.PostAsync("/api/workflows/trivial/runs", ServerFixture.Json("""{"environment":"sandbx"}""")));
        var inputs = await ProblemAsync(await client.PostAsync("/api/workflows/hotfix/runs", ServerFixture.Json("""{"environment":"sandbox","inputs":{"verison":"3.0.1"}}""")));

        Assert.Equal((404, "no published workflow 'trivail' (did you mean 'trivial'?)"), unknown);
        Assert.Equal((400, "no environment 'sandbx' (did you mean 'sandbox'?)"), environment);
        Assert.Equal(400, inputs.Status);
        Assert.Equal($"invalid inputs for workflow hotfix:{Environment.NewLine}  unknown input 'verison' (did you mean 'version'?); hotfix declares: version", inputs.Detail);
    }

    [Fact]
    public async Task List_FiltersByWorkflowTriggerAndStatus_AndPages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _server.StartRunAsync("trivial", new { inputs = new { note = $"n{i}" } }));
        }

        var waiting = await _server.StartRunAsync("approval", new { });
        foreach (var id in ids)
        {
            await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        }

        await _server.WaitForStatusAsync(waiting, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Viewer);

        var trivial = await IdsAsync(client, "/api/runs?workflow=trivial");
        var waitingOnly = await IdsAsync(client, "/api/runs?status=waiting");
        var byTrigger = await IdsAsync(client, "/api/runs?trigger=http&limit=100");
        var firstPage = await IdsAsync(client, "/api/runs?workflow=trivial&limit=2&offset=0");
        var secondPage = await IdsAsync(client, "/api/runs?workflow=trivial&limit=2&offset=2");
        using var badStatus = await client.GetAsync("/api/runs?status=sleeping");

        Assert.Equal(ids.Order(StringComparer.Ordinal), trivial.Order(StringComparer.Ordinal));
        Assert.Equal([waiting], waitingOnly);
        Assert.Equal(4, byTrigger.Count);
        Assert.Equal(2, firstPage.Count);
        Assert.Single(secondPage);
        Assert.Equal(ids.Order(StringComparer.Ordinal), firstPage.Concat(secondPage).Order(StringComparer.Ordinal));
        Assert.Equal(
            (400, "unknown run status 'sleeping'; valid values are pending, running, waiting, succeeded, failed, cancelled, superseded"),
            await ProblemAsync(badStatus));
    }

    [Fact]
    public async Task Signal_Approve_RecordsTheTokenNameAsApproverAndTheRunSucceeds()
    {
        var id = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);
        var shown = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}")).RootElement;

        using var response = await client.PostAsync($"/api/runs/{id}/signals/approve", ServerFixture.Json("""{"approved":true}"""));

        Assert.Equal("approve", shown.GetProperty("waiting")[0].GetProperty("signal").GetString());
        Assert.Equal("approval: Ship it?", shown.GetProperty("waiting")[0].GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        var signal = journal.Single(e => e.Type == JournalEventTypes.SignalReceived);
        Assert.Equal("operator-token", signal.Actor);
        Assert.Equal("operator-token", journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "ask").Outputs is IDictionary<string, object?> outputs ? outputs["sent_by"] : null);
    }

    [Fact]
    public async Task Signal_FinishedRun_Returns409()
    {
        var id = await _server.StartRunAsync("trivial", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Succeeded);
        using var client = _server.Client(TokenRole.Operator);

        var problem = await ProblemAsync(await client.PostAsync($"/api/runs/{id}/signals/approve", null));

        Assert.Equal((409, $"run {id} has already succeeded; signal 'approve' was not delivered"), problem);
    }

    [Fact]
    public async Task Cancel_WaitingRun_EndsItCancelledByTheTokenName()
    {
        var id = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);

        using var response = await client.PostAsync($"/api/runs/{id}/cancel", null);
        var run = await _server.WaitForStatusAsync(id, RunStatus.Cancelled, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal("cancelled by operator-token", run.Message);
        Assert.Equal((409, $"run {id} has already cancelled"), await ProblemAsync(await client.PostAsync($"/api/runs/{id}/cancel", null)));
    }

    [Fact]
    public async Task Show_NeverReturnsThePinnedEnvironmentText()
    {
        _server.WriteSecretiveEnvironment();
        var id = await _server.StartRunAsync("approval", new { environment = "secretive" });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Viewer);

        var shown = await client.GetStringAsync($"/api/runs/{id}");
        var listed = await client.GetStringAsync("/api/runs");

        Assert.DoesNotContain(ServerFixture.SecretiveValue, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(ServerFixture.SecretiveValue, listed, StringComparison.Ordinal);
        Assert.Equal("secretive", JsonDocument.Parse(shown).RootElement.GetProperty("run").GetProperty("environmentId").GetString());
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string path) =>
        JsonDocument.Parse(await client.GetStringAsync(path)).RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    internal static async Task<(int Status, string? Detail)> ProblemAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return ((int)response.StatusCode, problem.GetProperty("detail").GetString());
        }
    }
}
