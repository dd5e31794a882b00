using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The workflows a run may call, keyed as <see cref="StartRunRequest.Library"/> expects: by id for
/// <c>workflow.call</c> without <c>version:</c>, by <c>id@N</c> for a call that names version N.
/// </summary>
public static class DefinitionLibrary
{
    /// <summary>The library key of a callee: <c>rolling-deploy</c> or <c>rolling-deploy@3</c>.</summary>
    public static string Key(string id, int? version) => version is { } v ? $"{id}@{v}" : id;

    /// <summary>
    /// Reads from the definition store every workflow that <paramref name="root"/> calls, directly or
    /// through its callees: the named version for <c>version: N</c>, else the latest published one
    /// (the latest draft when none is published). Throws naming the call when a definition or version is missing.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, WorkflowDefinition>> FromStoreAsync(
        IDefinitionStore store,
        WorkflowDefinition root,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);

        var library = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        var pending = new Queue<WorkflowDefinition>([root]);
        while (pending.TryDequeue(out var workflow))
        {
            foreach (var call in workflow.AllSteps().OfType<CallStep>())
            {
                var key = Key(call.Workflow, call.Version);
                if (library.ContainsKey(key))
                {
                    continue;
                }

                var stored = await store.GetAsync(call.Workflow, call.Version, fallBackToDraft: true, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(
                        call.Version is { } v
                            ? $"{call.Location} {call.Path}: workflow.call of '{call.Workflow}' version {v}: the definition store has no such version"
                            : $"{call.Location} {call.Path}: workflow.call of unknown workflow '{call.Workflow}': the definition store has no such "
                                + "definition");
                var callee = DocumentLoader.LoadWorkflow(stored.Text, $"{call.Workflow}@v{stored.Version}").GetOrThrow();
                library[key] = callee;
                pending.Enqueue(callee);
            }
        }

        return library;
    }
}
