using Gantry.Engine.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Cli.Documents;

/// <summary>Finds a workflow or environment named on the command line by id (in the workspace) or by path.</summary>
internal static class WorkspaceLookup
{
    public static string WorkflowPath(string idOrPath)
    {
        var catalog = WorkspaceCatalog.Discover(Directory.GetCurrentDirectory());
        return catalog.FindWorkflow(idOrPath)
            ?? throw new UsageException($"workflow '{idOrPath}' not found: no such file, and no {idOrPath}.yaml in {catalog.WorkflowsFolder}{Known(idOrPath, catalog.WorkflowIds())}");
    }

    /// <summary>Loads the environment, or throws with its problems (exit 1) or when it cannot be found (exit 2).</summary>
    public static EnvironmentDefinition LoadEnvironment(string idOrPath, string? near = null)
    {
        var catalog = WorkspaceCatalog.Discover(near ?? Directory.GetCurrentDirectory());
        var path = catalog.FindEnvironment(idOrPath) ?? WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).FindEnvironment(idOrPath)
            ?? throw new UsageException($"environment '{idOrPath}' not found: no such file, and no {idOrPath}.yaml in {catalog.EnvironmentsFolder}{Known(idOrPath, catalog.EnvironmentIds())}");
        var loaded = DocumentLoader.LoadEnvironmentFile(path);
        return loaded.Succeeded ? loaded.Value! : throw new DocumentInvalidException(loaded.Diagnostics);
    }

    private static string Known(string given, IReadOnlyList<string> ids) =>
        ids.Count == 0 ? "" : $"{Suggest.Hint(given, ids)}; known: {string.Join(", ", ids)}";
}
