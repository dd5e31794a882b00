using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Runtime;

public sealed class DefinitionLibraryTests
{
    private static string Child(string word) => $$"""
        id: child
        steps:
          - uses: test.record
            with: { name: "{{word}}" }
        """;

    [Fact]
    public async Task FromStoreAsync_CallWithVersion_RunsThatVersionNextToTheLatest()
    {
        var store = new InMemoryDefinitionStore();
        await store.SaveAsync("child", Child("child v1"), "ann", null, CancellationToken.None);
        await store.PublishAsync("child", 1, CancellationToken.None);
        await store.SaveAsync("child", Child("child v2"), "ann", null, CancellationToken.None);
        await store.PublishAsync("child", 2, CancellationToken.None);
        var parent = EngineHarness.Workflow("""
            id: parent
            steps:
              - uses: workflow.call
                with: { workflow: child, version: 1 }
              - uses: workflow.call
                with: { workflow: child }
            """);
        var harness = new EngineHarness();

        var library = await DefinitionLibrary.FromStoreAsync(store, parent, CancellationToken.None);
        var run = await harness.Engine.StartAsync(new StartRunRequest { Workflow = parent, Library = library }, CancellationToken.None);
        var finished = await harness.Engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(["child v1", "child v2"], harness.Calls.Items);
        Assert.Equal(["child", "child@1", "parent"], finished.Definitions.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FromStoreAsync_UnknownVersion_NamesTheCallAndVersion()
    {
        var store = new InMemoryDefinitionStore();
        await store.SaveAsync("child", Child("v1"), "ann", null, CancellationToken.None);
        var parent = EngineHarness.Workflow("""
            id: parent
            steps:
              - uses: workflow.call
                with: { workflow: child, version: 7 }
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DefinitionLibrary.FromStoreAsync(store, parent, CancellationToken.None));

        Assert.Equal("test.yaml:3:5 steps[0]: workflow.call of 'child' version 7: the definition store has no such version", error.Message);
    }

    [Fact]
    public async Task Start_CallWithVersionButLibraryFromFiles_SaysWhereVersionsComeFrom()
    {
        var harness = new EngineHarness();
        var library = new Dictionary<string, Model.WorkflowDefinition> { ["child"] = EngineHarness.Workflow(Child("files"), "child.yaml") };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.StartAsync("""
            id: parent
            steps:
              - uses: workflow.call
                with: { workflow: child, version: 2 }
            """, library: library));

        Assert.Equal("test.yaml:3:5 steps[0]: workflow.call of 'child' version 2, which the run's definitions do not have (start the run from the definition store: DefinitionLibrary.FromStoreAsync)", error.Message);
    }
}
