using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Loading;

/// <summary>The result of loading one document: the model when it could be built, and every problem found.</summary>
public sealed record LoadResult<T>(T? Value, IReadOnlyList<Diagnostic> Diagnostics)
    where T : class
{
    public bool Succeeded => Value is not null && Diagnostics.Count == 0;

    public T GetOrThrow() => Succeeded ? Value! : throw new DocumentInvalidException(Diagnostics);
}

/// <summary>Loads workflow and environment documents from YAML or JSON text.</summary>
public static class DocumentLoader
{
    public static LoadResult<WorkflowDefinition> LoadWorkflowFile(string path) =>
        LoadWorkflow(File.ReadAllText(path), DisplayPath(path));

    public static LoadResult<WorkflowDefinition> LoadWorkflow(string text, string file)
    {
        var diagnostics = new DiagnosticBag();
        try
        {
            var root = DocumentReader.Parse(text, file);
            var workflow = WorkflowBinder.Bind(root, file, text, diagnostics);
            return new LoadResult<WorkflowDefinition>(workflow, diagnostics.Items);
        }
        catch (DocumentSyntaxException ex)
        {
            return new LoadResult<WorkflowDefinition>(null, [new Diagnostic(ex.Location, "", ex.Reason)]);
        }
    }

    public static LoadResult<EnvironmentDefinition> LoadEnvironmentFile(string path)
    {
        var result = LoadEnvironment(File.ReadAllText(path), DisplayPath(path));
        if (result.Value is not null)
        {
            result.Value.SourcePath = Path.GetFullPath(path);
        }

        return result;
    }

    public static LoadResult<EnvironmentDefinition> LoadEnvironment(string text, string file)
    {
        var diagnostics = new DiagnosticBag();
        try
        {
            var root = DocumentReader.Parse(text, file);
            // load_balancer: binds to the settings class its provider registered, not to the shared one.
            var environment = ObjectBinder.Bind<EnvironmentDefinition>(Without(root, "load_balancer"), "", diagnostics);
            if (environment is not null)
            {
                environment.LoadBalancer = LoadBalancerBinder.Bind((root as DocMapping)?["load_balancer"], diagnostics);
                environment.SourcePath = file;
                EnvironmentRules.Check(environment, root, diagnostics);
            }

            return new LoadResult<EnvironmentDefinition>(environment, diagnostics.Items);
        }
        catch (DocumentSyntaxException ex)
        {
            return new LoadResult<EnvironmentDefinition>(null, [new Diagnostic(ex.Location, "", ex.Reason)]);
        }
    }

    private static DocNode Without(DocNode node, string key) =>
        node is DocMapping mapping ? mapping with { Entries = mapping.Entries.Where(e => e.Key != key).ToList() } : node;

    /// <summary>Paths in messages are relative to the working folder when inside it, so they read like the user typed them.</summary>
    public static string DisplayPath(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
    }
}
