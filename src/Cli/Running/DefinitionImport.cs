using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Running;

/// <summary>
/// Imports the workspace's <c>workflows/*.yaml</c> into the definition store at start-up: a file
/// whose text changed becomes a new version, an unchanged file adds nothing. Imported versions are
/// published at once, because files in the workspace come from reviewed git history; drafts are
/// for definitions edited through the server.
/// </summary>
internal static class DefinitionImport
{
    /// <summary>Imports every valid workflow file; returns the published version of each by workflow id.</summary>
    public static async Task<IReadOnlyDictionary<string, DefinitionVersion>> ImportAsync(
        WorkspaceCatalog catalog,
        IDefinitionStore definitions,
        string? author,
        CancellationToken cancellationToken)
    {
        var imported = new Dictionary<string, DefinitionVersion>(StringComparer.Ordinal);
        foreach (var file in catalog.WorkflowFiles())
        {
            var workflow = DocumentLoader.LoadWorkflowFile(file).Value;
            if (workflow is null || imported.ContainsKey(workflow.Id))
            {
                // Invalid files are reported by validate and run; they are not versions of anything.
                continue;
            }

            var relative = Path.GetRelativePath(catalog.Root, file);
            var version = await definitions
                .SaveAsync(workflow.Id, workflow.SourceText, author, $"imported from {relative}", cancellationToken)
                .ConfigureAwait(false);
            if (version.State == DefinitionState.Draft)
            {
                version = await definitions.PublishAsync(workflow.Id, version.Version, cancellationToken).ConfigureAwait(false);
            }

            imported[workflow.Id] = version;
        }

        return imported;
    }
}
