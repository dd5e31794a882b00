using Gantry.Engine.Loading;

namespace Gantry.Cli.Commands.Init;

/// <summary>
/// <c>gantry init --reference-workflows DIR</c>: the team keeps its workflows in one place (a shared checkout, a git
/// submodule) and every workspace links to them instead of holding copies that drift. Each workflow file of DIR
/// becomes a relative symbolic link in workflows/ (relative, so a submodule keeps working in every clone), which
/// every command reads like a file.
/// </summary>
internal static class WorkflowReferences
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Whether a scaffold path is a workflow (workflows/NAME.yaml), not an environment or a schema.</summary>
    public static bool IsWorkflowPath(string relative) =>
        relative.StartsWith("workflows/", StringComparison.Ordinal) && relative.IndexOf('/', "workflows/".Length) < 0;

    /// <summary>
    /// The workflow files of <paramref name="shared"/> (or of its workflows/ folder), full paths in order; every one
    /// must load, else <paramref name="problems"/> names each error with its file:line:column and nothing is linked.
    /// </summary>
    public static IReadOnlyList<string> Find(string shared, out List<string> problems)
    {
        problems = [];
        var folder = Path.GetFullPath(Directory.Exists(Path.Combine(shared, "workflows")) ? Path.Combine(shared, "workflows") : shared);
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            problems.Add($"--reference-workflows {shared}: no workflow files (*.yaml, *.yml, *.json) in {folder}");
            return [];
        }

        foreach (var file in files)
        {
            var loaded = DocumentLoader.LoadWorkflowFile(file);
            if (!loaded.Succeeded)
            {
                problems.AddRange(loaded.Diagnostics.Select(d => $"--reference-workflows: {d}"));
            }
        }

        return problems.Count > 0 ? [] : files;
    }

    /// <summary>
    /// workflows/NAME as a relative link to <paramref name="target"/>: a link to it already is unchanged; a file or
    /// another link there is kept unless <paramref name="force"/>.
    /// </summary>
    public static (string Path, ScaffoldOutcome Outcome) Link(string root, string target, bool force)
    {
        var relative = "workflows/" + Path.GetFileName(target);
        var path = Path.Combine(root, relative);
        var folder = Path.GetDirectoryName(path)!;
        var pointer = Path.GetRelativePath(folder, target);
        var existing = new FileInfo(path);
        var outcome = ScaffoldOutcome.Linked;
        if (existing.Exists || existing.LinkTarget is not null)
        {
            if (existing.LinkTarget == pointer)
            {
                return (relative, ScaffoldOutcome.Unchanged);
            }

            if (!force)
            {
                return (relative, ScaffoldOutcome.Kept);
            }

            existing.Delete();
            outcome = ScaffoldOutcome.Overwritten;
        }

        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(path, pointer);
        return (relative, outcome);
    }
}
