using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>
/// Puts the workspace's <c>workflows/*.yaml</c> into the definition store, published. Unchanged
/// files add no version (the store returns the latest one when the text is identical).
/// </summary>
internal sealed class WorkflowImporter(ServerContext context, IDefinitionStore definitions, ILogger<WorkflowImporter> logger)
{
    public async Task<IReadOnlyList<DefinitionVersion>> ImportAsync(CancellationToken cancellationToken)
    {
        var imported = new List<DefinitionVersion>();
        foreach (var file in context.Catalog.WorkflowFiles())
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            var loaded = DocumentLoader.LoadWorkflow(text, Path.GetFileName(file));
            if (!loaded.Succeeded)
            {
                ServerLog.ImportSkipped(logger, file, loaded.Diagnostics.Count);
                continue;
            }

            var saved = await definitions
                .SaveAsync(loaded.Value!.Id, text, "import", $"imported from workflows/{Path.GetFileName(file)}", cancellationToken)
                .ConfigureAwait(false);
            if (saved.State != DefinitionState.Published)
            {
                saved = await definitions.PublishAsync(saved.Id, saved.Version, cancellationToken).ConfigureAwait(false);
            }

            imported.Add(saved);
        }

        return imported;
    }
}
