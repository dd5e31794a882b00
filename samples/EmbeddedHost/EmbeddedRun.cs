using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddedHost;

/// <summary>Loads one workflow file, runs it with the engine and the standard providers, and prints how it ended.</summary>
public static class EmbeddedRun
{
    public static async Task<RunStatus> RunFileAsync(string workflowPath, IEnumerable<string> inputs, TextWriter output, CancellationToken cancellationToken)
    {
        var workflow = DocumentLoader.LoadWorkflowFile(workflowPath).GetOrThrow();
        var dataDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(workflowPath))!, ".gantry");
        await using var services = new ServiceCollection()
            .AddGantryEngine(o => o.DataDirectory = dataDirectory)
            .AddGantryProviders()
            .BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        var run = await engine.StartAsync(new StartRunRequest { Workflow = workflow, Inputs = InputBinder.ParseAssignments(inputs), Trigger = "embedded" }, cancellationToken);
        var finished = await engine.RunAsync(run.Id, cancellationToken);
        await output.WriteLineAsync($"run {finished.Id} of {workflow.Id}: {finished.Status.ToString().ToLowerInvariant()}");
        return finished.Status;
    }
}
