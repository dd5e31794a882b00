using System.Net;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Hosting;

/// <summary>A server started on the data of a previous one carries on with the runs that one left unfinished.</summary>
public sealed class RestartTests
{
    private const string TwoSteps = """
        id: two-steps
        steps:
          - id: first
            uses: log
            with: { message: "first" }
          - id: second
            uses: log
            with: { message: "second" }
        """;

    [Fact]
    public async Task Restart_RunWaitingForASignal_NewServerDeliversItAndTheRunSucceeds()
    {
        var first = await ServerFixture.StartAsync();
        var id = await first.StartRunAsync("approval", new { });
        await first.WaitForStatusAsync(id, RunStatus.Waiting);
        await first.StopKeepingWorkspaceAsync();

        await using var second = await ServerFixture.StartAsync(workspace: first.Workspace);
        using var client = second.Client(TokenRole.Operator);
        using var response = await client.PostAsync($"/api/runs/{id}/signals/approve", ServerFixture.Json("""{"approved":true}"""));
        var run = await second.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var journal = await second.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepStarted && e.StepId == "ask"));
        Assert.Equal(1, journal.Count(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "done"));
    }

    [Fact]
    public async Task Restart_RunLeftRunningByADeadProcess_StartUpFinishesItWithoutRerunningTheFinishedStep()
    {
        var workspace = ServerFixture.CreateWorkspace();
        var dataDirectory = Path.Combine(workspace, ".gantry");
        Directory.CreateDirectory(dataDirectory);
        var now = TimeProvider.System.GetUtcNow();
        const string id = "died-mid-run";
        await using (var stores = await RunStoreFactory.OpenAsync(Path.Combine(dataDirectory, "gantry.db"), workspace, TimeProvider.System, CancellationToken.None))
        {
            await stores.Runs.CreateRunAsync(new RunRecord
            {
                Id = id,
                WorkflowId = "two-steps",
                Definitions = new Dictionary<string, string> { ["two-steps"] = TwoSteps },
                Status = RunStatus.Running,
                Trigger = "http",
                CreatedAt = now,
                UpdatedAt = now,
            }, CancellationToken.None);
            await stores.Runs.AppendAsync(id,
            [
                new JournalEvent { Type = JournalEventTypes.RunStarted, Time = now, Message = "two-steps on no environment" },
                new JournalEvent { Type = JournalEventTypes.StepStarted, Time = now, Path = "steps[0]", StepId = "first", Activity = "log" },
                new JournalEvent { Type = JournalEventTypes.StepSucceeded, Time = now, Path = "steps[0]", StepId = "first", Activity = "log", Outputs = new Dictionary<string, object?>() },
            ], CancellationToken.None);
        }

        await using var server = await ServerFixture.StartAsync(workspace: workspace);
        var run = await server.WaitForStatusAsync(id, RunStatus.Succeeded, RunStatus.Failed);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var journal = await server.Runs.ReadJournalAsync(id, 0, CancellationToken.None);
        Assert.Equal(
            ["run.started", "step.started steps[0]", "step.succeeded steps[0]",
             "run.resumed", "step.started steps[1]", "step.succeeded steps[1]", "run.finished"],
            journal.Where(e => e.Type is not (JournalEventTypes.Log or JournalEventTypes.Progress)).Select(e => e.Path is null ? e.Type : $"{e.Type} {e.Path}"));
    }
}
