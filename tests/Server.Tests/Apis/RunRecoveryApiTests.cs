using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>
/// <c>POST /api/runs/{id}/retry</c> and <c>POST /api/runs/{id}/answer</c>: a run that failed on a missing file
/// goes on in the same run once the file is there; a guided failure is answered over HTTP; only operators may.
/// </summary>
public sealed class RunRecoveryApiTests : IAsyncLifetime
{
    private const string NeedsFile = """
        id: needs-file
        inputs:
          file: { type: string, required: true }
          ask: { type: boolean, default: false }
        on_error: "{{ if inputs.ask }}ask{{ else }}fail{{ end }}"
        steps:
          - id: before
            uses: log
            with: { message: "looking for {{ inputs.file }}" }
          - id: check
            uses: shell.local
            with: { command: [test, -f, "{{ inputs.file }}"] }
          - id: done
            uses: log
            with: { message: "check {{ steps.check.status }}" }
        """;

    private const string WaitsForFile = """
        id: waits-for-file
        inputs:
          file: { type: string, required: true }
        steps:
          - id: poll
            uses: shell.local
            with: { command: "while [ ! -f '{{ inputs.file }}' ]; do sleep 0.05; done", shell: true }
        """;

    private ServerFixture _server = null!;
    private string _marker = null!;

    public async Task InitializeAsync()
    {
        var workspace = ServerFixture.CreateWorkspace();
        File.WriteAllText(Path.Combine(workspace, "workflows", "needs-file.yaml"), NeedsFile + "\n");
        File.WriteAllText(Path.Combine(workspace, "workflows", "waits-for-file.yaml"), WaitsForFile + "\n");
        _marker = Path.Combine(workspace, "marker");
        _server = await ServerFixture.StartAsync(workspace: workspace);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Retry_FailedRun_GoesOnInTheSameRunFromTheFailedStepOnceTheCauseIsFixed()
    {
        var id = await _server.StartRunAsync("needs-file", new { inputs = new { file = _marker } });
        Assert.Equal(RunStatus.Failed, (await _server.WaitForStatusAsync(id, RunStatus.Failed, RunStatus.Succeeded)).Status);
        File.WriteAllText(_marker, "fixed");
        using var client = _server.Client(TokenRole.Operator);

        using var response = await client.PostAsync($"/api/runs/{id}/retry", ServerFixture.Json("{}"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("check", "from the failed step 'check'"), (body.GetProperty("fromStep").GetString(), body.GetProperty("reason").GetString()));
        Assert.Equal(RunStatus.Succeeded, (await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed)).Status);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        var retried = Assert.Single(journal, e => e.Type == JournalEventTypes.RunRetried);
        Assert.Equal(("operator-token", "check"), (retried.Actor, retried.StepId));
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "before");
        Assert.Equal("check succeeded", journal.Last(e => e.Type == JournalEventTypes.Log && e.Path == "steps[2]").Message);
    }

    [Fact]
    public async Task Retry_ViewerToken_IsForbiddenAndTheRunStaysFailed()
    {
        var id = await _server.StartRunAsync("needs-file", new { inputs = new { file = _marker } });
        await _server.WaitForStatusAsync(id, RunStatus.Failed);
        using var viewer = _server.Client(TokenRole.Viewer);

        using var response = await viewer.PostAsync($"/api/runs/{id}/retry", ServerFixture.Json("{}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(RunStatus.Failed, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);
        Assert.DoesNotContain(await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None), e => e.Type == JournalEventTypes.RunRetried);
    }

    [Fact]
    public async Task Retry_UnknownRun_Returns404()
    {
        using var client = _server.Client(TokenRole.Operator);

        var problem = await RunsApiTests.ProblemAsync(await client.PostAsync("/api/runs/no-such-run/retry", ServerFixture.Json("{}")));

        Assert.Equal((404, "no run with id 'no-such-run'"), problem);
    }

    [Fact]
    public async Task Retry_RunningOrWaitingRun_Returns409AndChangesNothing()
    {
        var running = await _server.StartRunAsync("waits-for-file", new { inputs = new { file = _marker } });
        var waiting = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(running, RunStatus.Running);
        await _server.WaitForStatusAsync(waiting, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);

        var onRunning = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{running}/retry", ServerFixture.Json("{}")));
        var onWaiting = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{waiting}/retry", ServerFixture.Json("""{"from":"ask"}""")));
        File.WriteAllText(_marker, "done");

        Assert.Equal((409, $"run {running} is running; only a failed or cancelled run can be retried"), onRunning);
        Assert.Equal((409, $"run {waiting} is waiting; only a failed or cancelled run can be retried"), onWaiting);
        Assert.Equal(RunStatus.Succeeded, (await _server.WaitForStatusAsync(running, RunStatus.Succeeded, RunStatus.Failed)).Status);
    }

    [Fact]
    public async Task Retry_FromAStepThatNeverRan_Returns400NamingTheStepsThatRan()
    {
        var id = await _server.StartRunAsync("needs-file", new { inputs = new { file = _marker } });
        await _server.WaitForStatusAsync(id, RunStatus.Failed);
        using var client = _server.Client(TokenRole.Operator);

        var problem = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{id}/retry", ServerFixture.Json("""{"from":"done"}""")));

        Assert.Equal((400, $"run {id} has no step 'done' that ran (on_failure steps cannot be retried from); steps that ran: before, check"), problem);
    }

    [Fact]
    public async Task Answer_Skip_OverHttp_GoesOnWithTheStepSkipped()
    {
        var id = await _server.StartRunAsync("needs-file", new { inputs = new { file = _marker, ask = true } });
        await _server.WaitForStatusAsync(id, RunStatus.Waiting);
        using var client = _server.Client(TokenRole.Operator);
        var shown = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{id}")).RootElement.GetProperty("waiting")[0];

        var wrong = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{id}/answer", ServerFixture.Json("""{"answer":"later"}""")));
        using var response = await client.PostAsync($"/api/runs/{id}/answer", ServerFixture.Json("""{"answer":"skip"}"""));
        await _server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);
        var again = await RunsApiTests.ProblemAsync(await client.PostAsync($"/api/runs/{id}/answer", ServerFixture.Json("""{"answer":"retry"}""")));

        Assert.Equal(("error", "check"), (shown.GetProperty("kind").GetString(), shown.GetProperty("stepId").GetString()));
        Assert.StartsWith("step check failed: ", shown.GetProperty("description").GetString());
        Assert.Equal((400, "'later' is not an answer to a failed step; expected retry, skip or abort"), wrong);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStatus.Succeeded, (await _server.Runs.GetRunAsync(id, CancellationToken.None))!.Status);
        var journal = await _server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal("check skipped", journal.Last(e => e.Type == JournalEventTypes.Log && e.Path == "steps[2]").Message);
        Assert.Equal((409, $"run {id} is succeeded and has no failed step waiting for an answer"), again);
    }
}
