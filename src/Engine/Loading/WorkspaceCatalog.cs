using Gantry.Engine.Model;

namespace Gantry.Engine.Loading;

/// <summary>
/// Finds workflows and environments by id or path in a workspace: <c>workflows/*.yaml</c> and
/// <c>workflows/environments/*.yaml</c> (JSON too).
/// </summary>
public sealed class WorkspaceCatalog(string root)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public string Root { get; } = Path.GetFullPath(root);

    public string WorkflowsFolder => Path.Combine(Root, "workflows");

    public string EnvironmentsFolder => Path.Combine(WorkflowsFolder, "environments");

    /// <summary>The workspace holding <paramref name="start"/> or a parent of it: the folder that has workflows/.</summary>
    public static WorkspaceCatalog Discover(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "workflows")))
            {
                return new WorkspaceCatalog(dir.FullName);
            }
        }

        return new WorkspaceCatalog(start);
    }

    public IEnumerable<string> WorkflowFiles() => Files(WorkflowsFolder);

    public IEnumerable<string> EnvironmentFiles() => Files(EnvironmentsFolder);

    /// <summary>A path as given, or the file of that id under workflows/; null when neither exists.</summary>
    public string? FindWorkflow(string idOrPath) => Find(idOrPath, WorkflowsFolder);

    public string? FindEnvironment(string idOrPath) => Find(idOrPath, EnvironmentsFolder);

    public IReadOnlyList<string> WorkflowIds() => WorkflowFiles().Select(f => Path.GetFileNameWithoutExtension(f)).ToList();

    public IReadOnlyList<string> EnvironmentIds() => EnvironmentFiles().Select(f => Path.GetFileNameWithoutExtension(f)).ToList();

    /// <summary>Loads every valid workflow by id (for workflow.call and validation of calls).</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> LoadWorkflows()
    {
        var result = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        foreach (var file in WorkflowFiles())
        {
            var loaded = DocumentLoader.LoadWorkflowFile(file);
            if (loaded.Value is not null)
            {
                result.TryAdd(loaded.Value.Id, loaded.Value);
            }
        }

        return result;
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory
                .EnumerateFiles(folder)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
            : [];

    private static string? Find(string idOrPath, string folder)
    {
        if (File.Exists(idOrPath))
        {
            return Path.GetFullPath(idOrPath);
        }

        return Extensions.Select(e => Path.Combine(folder, idOrPath + e)).FirstOrDefault(File.Exists);
    }
}
