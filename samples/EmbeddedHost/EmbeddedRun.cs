using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddedHost;

/// <summary>
/// Loads one workflow file, runs it with the engine and the standard providers, and prints how it ended.
/// The run is kept in the SQLite store this program picked (Gantry.Stores.Sqlite): <c>.gantry/gantry.db</c>
/// beside the workflow, where <c>gantry runs --db</c> or another embedding program can read it.
/// </summary>
public static class EmbeddedRun
{
    public static async Task<RunStatus> RunFileAsync(string workflowPath, IEnumerable<string> inputs, TextWriter output, CancellationToken cancellationToken)
    {
        var workflow = DocumentLoader.LoadWorkflowFile(workflowPath).GetOrThrow();
        var folder = Path.GetDirectoryName(Path.GetFullPath(workflowPath))!;
        var dataDirectory = Path.Combine(folder, ".gantry");
        await using var stores = await RunStoreFactory.OpenAsync(SqliteDatabaseOf(folder), folder, null, cancellationToken);
        await using var services = new ServiceCollection()
            .AddSingleton(stores.Runs)
            .AddSingleton(stores.Quarantine)
            .AddGantryEngine(o => o.DataDirectory = dataDirectory)
            .AddGantryProviders()
            .BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        var run = await engine.StartAsync(new StartRunRequest { Workflow = workflow, Inputs = InputBinder.ParseAssignments(inputs), Trigger = "embedded" }, cancellationToken);
        var finished = await engine.RunAsync(run.Id, cancellationToken);
        await output.WriteLineAsync($"run {finished.Id} of {workflow.Id}: {finished.Status.ToString().ToLowerInvariant()}");
        return finished.Status;
    }

    /// <summary>The store setting of the SQLite file this sample keeps its runs in, under <paramref name="folder"/>.</summary>
    public static string SqliteDatabaseOf(string folder) => "sqlite:" + Path.Combine(folder, RunStoreFactory.DefaultSqlitePath);
}
