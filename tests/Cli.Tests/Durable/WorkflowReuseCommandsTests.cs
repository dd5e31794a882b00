using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable;

/// <summary>A pinned <c>workflow.call</c> version through <c>gantry run</c>, and <c>gantry definitions delete</c> of a workflow others call.</summary>
public sealed class WorkflowReuseCommandsTests
{
    private static string Shared(string edition) => $$"""
        id: shared
        steps:
          - id: mark
            uses: log
            with: { message: "{{edition}}" }
        outputs:
          edition: "{{edition}}"
        """;

    private const string Team = """
        id: team
        steps:
          - id: pinned
            uses: workflow.call
            with: { workflow: shared, version: 1 }
          - id: latest
            uses: workflow.call
            with: { workflow: shared }
          - id: report
            uses: log
            with: { message: "pinned {{ steps.pinned.outputs.edition }}, latest {{ steps.latest.outputs.edition }}" }
        """;

    [Fact]
    public async Task Run_PinnedCallAfterANewerVersion_RunsThePinnedOne_AndDeleteRefusesWhileCalled()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.Write("workflows/shared.yaml", Shared("first"));
        workspace.Write("workflows/team.yaml", Team);

        var before = await workspace.RunAsync("run", "team");
        workspace.Write("workflows/shared.yaml", Shared("second"));
        var after = await workspace.RunAsync("run", "team");
        var refused = await workspace.RunAsync("definitions", "delete", "shared");

        Assert.True(before.ExitCode == 0, before.Output);
        Assert.True(after.ExitCode == 0, after.Output);
        var runs = await workspace.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None);
        Assert.Equal(["pinned first, latest second", "pinned first, latest first"], await Task.WhenAll(runs.Select(r => ReportAsync(workspace, r.Id))));
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("workflow 'shared' cannot be deleted: it is called by team v1 (calls version 1), team v1 (calls the published version); change or delete those callers first", refused.Output);
        Assert.Equal(2, (await workspace.Definitions.VersionsAsync("shared", CancellationToken.None)).Count);

        File.Delete(Path.Combine(workspace.Root, "workflows", "team.yaml"));
        var caller = await workspace.RunAsync("definitions", "delete", "team");
        var called = await workspace.RunAsync("definitions", "delete", "shared");
        var unknown = await workspace.RunAsync("definitions", "delete", "nothing");

        Assert.Equal((0, "team is deleted"), caller);
        Assert.Equal((0, "shared is deleted; workflows/ still has its file, which is imported again on the next start"), called);
        Assert.Equal((2, "error: no definition with id 'nothing'"), unknown);
    }

    [Fact]
    public async Task Run_PinnedVersionWithAnInputTheLatestFileDropped_IsCheckedAgainstThePinnedVersion()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.Write("workflows/shared.yaml", Shared("first").Replace("steps:", "inputs:\n  colour: { type: string, required: true }\nsteps:", StringComparison.Ordinal));
        workspace.Write("workflows/team.yaml", "id: team\nsteps:\n  - uses: workflow.call\n    with: { workflow: shared, version: 1, inputs: { colour: red } }\n");
        var first = await workspace.RunAsync("run", "team");
        workspace.Write("workflows/shared.yaml", Shared("second"));

        var pinned = await workspace.RunAsync("run", "team");
        workspace.Write("workflows/team.yaml", "id: team\nsteps:\n  - uses: workflow.call\n    with: { workflow: shared, version: 7 }\n");
        var missing = CliTestApp.Run("run", "team", "--workspace", workspace.Root, "--db", workspace.Db);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(pinned.ExitCode == 0, pinned.Output);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal(
            $$"""
            error {{Path.Combine(workspace.Root, "workflows", "team.yaml")}}:4:40 steps[0].with.version: workflow 'shared' has no version 7 (latest is 2)
            4 |     with: { workflow: shared, version: 7 }
              |                                        ^ workflow 'shared' has no version 7 (latest is 2)
            """,
            missing.Output.Trim());
    }

    private static async Task<string> ReportAsync(DurableWorkspace workspace, string runId)
    {
        var journal = await workspace.JournalAsync(runId);
        return journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "report").Outputs is IReadOnlyDictionary<string, object?> outputs
            ? Convert.ToString(outputs["message"], System.Globalization.CultureInfo.InvariantCulture) ?? ""
            : "";
    }
}
