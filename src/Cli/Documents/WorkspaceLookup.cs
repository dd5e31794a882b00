using Gantry.Engine.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Cli.Documents;

/// <summary>Finds a workflow or environment named on the command line by id (in the workspace) or by path.</summary>
internal static class WorkspaceLookup
{
    /// <summary>The workflow file; ids are looked up in <paramref name="workspace"/>, else the workspace of the current directory.</summary>
    public static string WorkflowPath(string idOrPath, string? workspace = null)
    {
        var catalog = WorkspaceCatalog.Discover(workspace ?? Directory.GetCurrentDirectory());
        return catalog.FindWorkflow(idOrPath)
            ?? throw new UsageException(
                $"workflow '{idOrPath}' not found: no such file, and no {idOrPath}.yaml in "
                + $"{catalog.WorkflowsFolder}{Known(idOrPath, catalog.WorkflowIds())}");
    }

    /// <summary>Loads the environment, or throws with its problems (exit 1) or when it cannot be found (exit 2).</summary>
    public static EnvironmentDefinition LoadEnvironment(string idOrPath, string? near = null, string? workspace = null)
    {
        var catalog = WorkspaceCatalog.Discover(near ?? workspace ?? Directory.GetCurrentDirectory());
        var path = catalog.FindEnvironment(idOrPath)
            ?? WorkspaceCatalog.Discover(workspace ?? Directory.GetCurrentDirectory()).FindEnvironment(idOrPath)
            ?? throw new UsageException(
                $"environment '{idOrPath}' not found: no such file, and no {idOrPath}.yaml in "
                + $"{catalog.EnvironmentsFolder}{Known(idOrPath, catalog.EnvironmentIds())}");
        var loaded = DocumentLoader.LoadEnvironmentFile(path);
        return loaded.Succeeded ? loaded.Value! : throw new DocumentInvalidException(loaded.Diagnostics);
    }

    private static string Known(string given, IReadOnlyList<string> ids) =>
        ids.Count == 0 ? "" : $"{Suggest.Hint(given, ids)}; known: {string.Join(", ", ids)}";
}
