using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Validation;

namespace Gantry.Cli.Documents;

/// <summary>One file checked by <c>gantry validate</c>: what it is, its text and every problem found.</summary>
internal sealed record CheckedFile(string Path, string Kind, string Text, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Valid => Diagnostics.Count == 0;
}

/// <summary>Finds, classifies, loads and validates the documents named on the command line.</summary>
internal static class DocumentSet
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];
    private static readonly string[] Skipped = ["bin", "obj", "node_modules", ".git"];

    /// <summary>The files under the given paths (files as given, folders recursively), in a stable order.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Where(f => !System.IO.Path.GetRelativePath(path, f).Split(System.IO.Path.DirectorySeparatorChar).Any(Skipped.Contains))
                    .Order(StringComparer.Ordinal));
            }
        }

        return files.Distinct().ToList();
    }

    /// <summary>An environment lives under an <c>environments</c> folder, or is a mapping without <c>steps</c>.</summary>
    public static bool IsEnvironment(string path, string text)
    {
        var folders = System.IO.Path.GetFullPath(path).Split(System.IO.Path.DirectorySeparatorChar);
        if (folders.SkipLast(1).Contains("environments"))
        {
            return true;
        }

        try
        {
            return DocumentReader.Parse(text, path) is DocMapping mapping && mapping.Find("steps") is null;
        }
        catch (DocumentSyntaxException)
        {
            return false;
        }
    }

    public static IReadOnlyList<CheckedFile> Check(
        IReadOnlyList<string> files,
        ValidationContext baseContext,
        WorkflowValidator validator,
        EnvironmentDefinition? environment)
    {
        var loaded =
            new List<(
                string Path,
                string Text,
                bool IsEnvironment,
                LoadResult<WorkflowDefinition>? Workflow,
                IReadOnlyList<Diagnostic> Diagnostics
            )>();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var display = DocumentLoader.DisplayPath(file);
            if (IsEnvironment(file, text))
            {
                loaded.Add((file, text, true, null, DocumentLoader.LoadEnvironment(text, display).Diagnostics));
            }
            else
            {
                var workflow = DocumentLoader.LoadWorkflow(text, display);
                loaded.Add((file, text, false, workflow, workflow.Diagnostics));
            }
        }

        // Calls resolve to the workspace's workflows, overridden by the versions being validated.
        var workflows = new Dictionary<string, WorkflowDefinition>(baseContext.Workflows, StringComparer.Ordinal);
        foreach (var file in files.Select(f => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(f))!).Distinct())
        {
            foreach (var (id, workflow) in WorkspaceCatalog.Discover(file).LoadWorkflows())
            {
                workflows.TryAdd(id, workflow);
            }
        }

        foreach (var workflow in loaded.Select(l => l.Workflow?.Value).OfType<WorkflowDefinition>())
        {
            workflows[workflow.Id] = workflow;
        }

        var context = new ValidationContext(baseContext.Activities, workflows, environment, baseContext.MissingVersions);
        return loaded.Select(l =>
        {
            var diagnostics = l.Diagnostics.ToList();
            if (l.Workflow?.Value is { } workflow)
            {
                diagnostics.AddRange(validator.Validate(workflow, context).Where(d => !diagnostics.Contains(d)));
            }

            var ordered = diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
            return new CheckedFile(DocumentLoader.DisplayPath(l.Path), l.IsEnvironment ? "environment" : "workflow", l.Text, ordered);
        }).ToList();
    }
}
