using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Testing.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.EndToEnd.Tests.Rollback;

/// <summary>The engine and providers in this process, over a temp data folder, running the fleet workspace's workflows on its environment.</summary>
internal sealed class FleetEngine : IAsyncDisposable
{
    private readonly RealFleet _fleet;
    private readonly ServiceProvider _services;
    private readonly string _data = Directory.CreateTempSubdirectory("gantry-e2e-engine-").FullName;

    public FleetEngine(RealFleet fleet)
    {
        _fleet = fleet;
        _services = new ServiceCollection().AddGantryEngine(o => o.DataDirectory = _data).AddGantryProviders().BuildServiceProvider();
    }

    public WorkflowEngine Engine => _services.GetRequiredService<WorkflowEngine>();

    /// <summary>The engine's data folder (runs, quarantined hosts).</summary>
    public string DataDirectory => _data;

    /// <summary>What <c>gantry status</c> shows of the fleet now.</summary>
    public async Task<Gantry.Providers.Status.FleetStatus> StatusAsync()
    {
        var environment = DocumentLoader.LoadEnvironment(await File.ReadAllTextAsync(_fleet.EnvironmentPath), _fleet.EnvironmentPath).GetOrThrow();
        return await _services.GetRequiredService<Gantry.Providers.Status.FleetStatusReader>().ReadAsync(environment, _data, CancellationToken.None);
    }

    public async Task<RunRecord> RunAsync(string workflowId, Dictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        var library = new WorkspaceCatalog(_fleet.WorkspaceDirectory).LoadWorkflows();
        var text = await File.ReadAllTextAsync(_fleet.EnvironmentPath, cancellationToken);
        var run = await Engine.StartAsync(new StartRunRequest
        {
            Workflow = library[workflowId],
            Library = library,
            Environment = DocumentLoader.LoadEnvironment(text, _fleet.EnvironmentPath).GetOrThrow(),
            EnvironmentText = text,
            Inputs = inputs,
        }, cancellationToken);
        return await Engine.RunAsync(run.Id, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
