using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Scenario;

/// <summary>The repository's own workflows on the sandbox environment, with a data folder of the test's own.</summary>
internal sealed class SandboxHarness : IDisposable
{
    public SandboxHarness()
    {
        DataDirectory = Directory.CreateTempSubdirectory("gantry-sandbox-").FullName;
        Services = new ServiceCollection()
            .AddGantryEngine(o => o.DataDirectory = DataDirectory)
            .AddGantryProviders()
            .BuildServiceProvider();
        Engine = Services.GetRequiredService<WorkflowEngine>();
        Catalog = new WorkspaceCatalog(RepositoryRoot());
    }

    public string DataDirectory { get; }

    public ServiceProvider Services { get; }

    public WorkflowEngine Engine { get; }

    public WorkspaceCatalog Catalog { get; }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Workflows.sln not found above the test folder");
    }

    public (EnvironmentDefinition Environment, string Text) Environment(string id, string? extraYaml = null)
    {
        var path = Catalog.FindEnvironment(id)!;
        var text = File.ReadAllText(path) + (extraYaml is null ? "" : "\n" + extraYaml);
        var environment = DocumentLoader.LoadEnvironment(text, path).GetOrThrow();
        return (environment, text);
    }

    public async Task<RunRecord> StartAsync(string workflowId, string environmentId, Dictionary<string, object?>? inputs = null, string? extraEnvironmentYaml = null)
    {
        var library = Catalog.LoadWorkflows();
        var (environment, text) = Environment(environmentId, extraEnvironmentYaml);
        return await Engine.StartAsync(new StartRunRequest
        {
            Workflow = library[workflowId],
            Library = library,
            Environment = environment,
            EnvironmentText = text,
            Inputs = inputs ?? [],
        }, CancellationToken.None);
    }

    public async Task<IReadOnlyList<JournalEvent>> JournalAsync(string runId) =>
        await Engine.Store.ReadJournalAsync(runId, 0, CancellationToken.None);

    public Sandbox.FleetState Fleet(string environmentId = "sandbox", string? extra = null) =>
        new Sandbox.SandboxFleet(Environment(environmentId, extra).Environment, DataDirectory).Read();

    public void Dispose()
    {
        Services.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
