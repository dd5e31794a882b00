using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable;

/// <summary>Workflow files imported as definition versions, the definitions verbs, and runs prune, through the real CLI.</summary>
public sealed class DefinitionCommandsTests
{
    private const string First = """
        id: hello
        steps:
          - id: greet
            uses: log
            with: { message: "hello" }
        """;

    private const string Second = """
        id: hello
        steps:
          - id: greet
            uses: log
            with: { message: "hello again" }
          - id: bye
            uses: log
            with: { message: "bye" }
        """;

    [Fact]
    public async Task WorkflowFiles_ImportedWhenChanged_RunsRecordTheirVersion_DiffPublishAndPrune()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        workspace.Write("workflows/hello.yaml", First);

        var first = await workspace.RunAsync("run", "hello");
        var unchanged = await workspace.RunAsync("definitions", "list");
        workspace.Write("workflows/hello.yaml", Second);
        var second = await workspace.RunAsync("run", "hello");
        var diff = await workspace.RunAsync("definitions", "diff", "hello", "1", "2");
        var missing = await workspace.RunAsync("definitions", "publish", "hello", "5");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(unchanged.ExitCode == 0, unchanged.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        var versions = await workspace.Definitions.VersionsAsync("hello", CancellationToken.None);
        Assert.Equal([(1, DefinitionState.Published, First), (2, DefinitionState.Published, Second)], versions.Select(v => (v.Version, v.State, v.Text)));
        Assert.Equal("imported from workflows/hello.yaml", versions[1].Comment);
        var runs = await workspace.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None);
        Assert.Equal([2, 1], runs.Select(r => r.WorkflowVersion));
        Assert.Equal(0, diff.ExitCode);
        Assert.Equal(
            """
            ~ step greet (steps[0])
                with: {"message": "hello"} -> {"message": "hello again"}
            + step bye (steps[1])
                id: "bye"
                uses: "log"
                with: {"message": "bye"}
            """,
            diff.Output);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("error: definition 'hello' has no version 5", missing.Output);

        var prune = await workspace.RunAsync("runs", "prune", "--older-than", "0s");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.StartsWith("pruned 2 runs finished before ", prune.Output, StringComparison.Ordinal);
        Assert.Empty(await workspace.Runs.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }
}
