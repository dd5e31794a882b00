using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>deploy.rollback without to, through the engine on the sandbox: each host goes back to what it ran before.</summary>
public sealed class RollbackHistorySandboxTests
{
    /// <summary>The canary's history on web1: v3.0.0 refused at its approval and rolled back, then v3.0.1 whose gate failed.</summary>
    private const string RefuseThenFail = """
        id: refuse-then-fail
        steps:
          - uses: deploy.release
            with: { hosts: [web1], tag: v3.0.0, allow_live: true }
          - id: refused
            uses: deploy.rollback
            with: { hosts: [web1], allow_live: true }
          - uses: deploy.release
            with: { hosts: [web1], tag: v3.0.1, allow_live: true }
          - id: gate_failed
            uses: deploy.rollback
            with: { hosts: [web1], allow_live: true }
        """;

    [Fact]
    public async Task Rollback_AfterARefusedReleaseAndAFailedOne_GoesBackToWhatRanBeforeNotTheRefusedRelease()
    {
        const string Start = "vars: { sandbox_initial_release: v2.9.0 }";
        using var harness = new SandboxHarness();
        var (environment, text) = harness.Environment("sandbox", Start);
        var run = await harness.Engine.StartAsync(new StartRunRequest
        {
            Workflow = DocumentLoader.LoadWorkflow(RefuseThenFail, "refuse-then-fail.yaml").GetOrThrow(),
            Environment = environment,
            EnvironmentText = text,
        }, CancellationToken.None);

        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.True(finished.Status == RunStatus.Succeeded, finished.Message);
        var rolledBackTo = (await harness.JournalAsync(run.Id))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded && e.Activity == "deploy.rollback")
            .Select(e => ((IEnumerable<object?>)((IReadOnlyDictionary<string, object?>)e.Outputs!)["hosts"]!).Cast<IReadOnlyDictionary<string, object?>>().Single()["release"]);
        Assert.Equal(["v2.9.0", "v2.9.0"], rolledBackTo);
        Assert.Equal("v2.9.0", harness.Fleet(extra: Start).Hosts["web1"].Current);
    }
}
