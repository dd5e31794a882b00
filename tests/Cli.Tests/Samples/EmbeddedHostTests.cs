using EmbeddedHost;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;

namespace Gantry.Cli.Tests.Samples;

public sealed class EmbeddedHostTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task RunFile_TinyWorkflow_RunsItWithTheEngineAndPrintsTheStatus()
    {
        var path = _workspace.Write("hello.yaml", """
            id: hello
            inputs:
              who: { type: string }
              dir: { type: string }
            steps:
              - uses: file.write
                with: { path: "{{ inputs.dir }}/greeting.txt", content: "hello {{ inputs.who }}" }
            """);
        using var output = new StringWriter();

        var status = await EmbeddedRun.RunFileAsync(path, ["who=ops", $"dir={_workspace.Root}"], output, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, status);
        Assert.Equal("hello ops", await File.ReadAllTextAsync(Path.Combine(_workspace.Root, "greeting.txt")));
        Assert.Matches("^run [^ ]+ of hello: succeeded$", output.ToString().TrimEnd());
    }

    [Fact]
    public async Task RunFile_KeepsTheRunInTheSqliteStoreItPicked()
    {
        var path = _workspace.Write("hello.yaml", """
            id: hello
            steps:
              - uses: log
                with: { message: kept }
            """);
        using var output = new StringWriter();

        var status = await EmbeddedRun.RunFileAsync(path, [], output, CancellationToken.None);

        // A second program (here: the test) opens the same file through the same package and finds the run.
        var runId = output.ToString().Split(' ')[1];
        var database = EmbeddedRun.SqliteDatabaseOf(_workspace.Root);
        await using var stores = await RunStoreFactory.OpenAsync(database, _workspace.Root, null, CancellationToken.None);
        var run = await stores.Runs.GetRunAsync(runId, CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, status);
        Assert.Equal((StoreKind.Sqlite, Path.Combine(_workspace.Root, ".gantry", "gantry.db")), (stores.Kind, stores.Location));
        Assert.Equal((RunStatus.Succeeded, "hello", "embedded"), (run?.Status, run?.WorkflowId, run?.Trigger));
    }

    [Fact]
    public async Task RunFile_FailingWorkflow_ReportsFailed()
    {
        var path = _workspace.Write("broken.yaml", """
            id: broken
            steps:
              - uses: fail
                with: { message: on purpose }
            """);
        using var output = new StringWriter();

        var status = await EmbeddedRun.RunFileAsync(path, [], output, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, status);
        Assert.EndsWith(" of broken: failed", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }
}
