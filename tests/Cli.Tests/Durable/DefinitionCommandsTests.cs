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

    [Fact]
    public async Task VersionsPublishAndList_PrintWhatTheStoreHolds()
    {
        await using var workspace = await DurableWorkspace.CreateAsync();
        var ct = CancellationToken.None;
        await workspace.Definitions.SaveAsync("hello", First, "alice", "first", ct);
        await workspace.Definitions.PublishAsync("hello", 1, ct);
        await workspace.Definitions.SaveAsync("hello", Second, "bob", "second", ct);
        var stored = await workspace.Definitions.VersionsAsync("hello", ct);
        var (first, draft) = (stored[0], stored[1]);

        var versionsJson = await workspace.RunAsync("definitions", "versions", "hello", "--output", "json");
        var versionsTable = await workspace.RunAsync("definitions", "versions", "hello");
        var publish = await workspace.RunAsync("definitions", "publish", "hello", "2");
        var list = await workspace.RunAsync("definitions", "list");
        var unknown = await workspace.RunAsync("definitions", "versions", "nope");

        var published = (await workspace.Definitions.VersionsAsync("hello", ct))[1];
        var summary = Assert.Single(await workspace.Definitions.ListAsync(ct));
        Assert.Equal(DefinitionState.Published, published.State);
        Assert.True(versionsJson.ExitCode == 0, versionsJson.Output);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(
                new object[]
                {
                    new { id = "hello", version = 1, state = "published", contentHash = first.ContentHash, author = "alice", comment = "first", createdAt = first.CreatedAt, publishedAt = first.PublishedAt },
                    new { id = "hello", version = 2, state = "draft", contentHash = draft.ContentHash, author = "bob", comment = "second", createdAt = draft.CreatedAt, publishedAt = (DateTimeOffset?)null },
                },
                Gantry.Cli.Output.JsonOutput.Options),
            versionsJson.Output);
        Assert.Equal(
            $"""
            ┌─────────┬───────────┬──────────────────────┬────────┬─────────┐
            │ version │ state     │ created              │ author │ comment │
            ├─────────┼───────────┼──────────────────────┼────────┼─────────┤
            │ 1       │ published │ {first.CreatedAt:u} │ alice  │ first   │
            │ 2       │ draft     │ {draft.CreatedAt:u} │ bob    │ second  │
            └─────────┴───────────┴──────────────────────┴────────┴─────────┘
            """,
            versionsTable.Output);
        Assert.Equal((0, "hello v2 is published"), publish);
        Assert.Equal(
            $"""
            ┌────────────┬────────┬───────────┬──────────────────────┐
            │ definition │ latest │ published │ updated              │
            ├────────────┼────────┼───────────┼──────────────────────┤
            │ hello      │ 2      │ 2         │ {summary.UpdatedAt:u} │
            └────────────┴────────┴───────────┴──────────────────────┘
            """,
            list.Output);
        Assert.Equal((2, "error: no definition with id 'nope'"), unknown);
    }
}
