using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Reads from the definition store the versions that a workflow's <c>workflow.call</c> steps pin
/// with <c>version: N</c>, so that validation checks each call against the version it will run
/// rather than the callee's latest one.
/// </summary>
public static class PinnedCallVersions
{
    /// <summary>
    /// A copy of <paramref name="context"/> whose <see cref="ValidationContext.Workflows"/> also holds
    /// each version that <paramref name="workflow"/> pins (key <c>id@N</c>), drafts included, and whose
    /// <see cref="ValidationContext.MissingVersions"/> says which pinned versions the store does not have.
    /// </summary>
    public static async Task<ValidationContext> AddToAsync(
        ValidationContext context,
        IDefinitionStore store,
        WorkflowDefinition workflow,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(workflow);
        var workflows = new Dictionary<string, WorkflowDefinition>(context.Workflows, StringComparer.Ordinal);
        var missing = new Dictionary<string, string>(context.MissingVersions, StringComparer.Ordinal);
        foreach (var call in workflow.AllSteps().OfType<CallStep>())
        {
            if (call.Version is not { } version || string.IsNullOrEmpty(call.Workflow))
            {
                continue;
            }

            var key = DefinitionLibrary.Key(call.Workflow, version);
            if (workflows.ContainsKey(key) || missing.ContainsKey(key))
            {
                continue;
            }

            var stored = await store.GetAsync(call.Workflow, version, fallBackToDraft: true, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                missing[key] = await NoSuchVersionAsync(store, call.Workflow, version, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var loaded = DocumentLoader.LoadWorkflow(stored.Text, $"{call.Workflow}@v{version}");
            if (loaded.Value is { } callee && loaded.Succeeded)
            {
                workflows[key] = callee;
            }
            else
            {
                missing[key] = $"workflow '{call.Workflow}' version {version} cannot be loaded: {loaded.Diagnostics.FirstOrDefault()}";
            }
        }

        return new ValidationContext(context.Activities, workflows, context.Environment, missing);
    }

    private static async Task<string> NoSuchVersionAsync(IDefinitionStore store, string id, int version, CancellationToken cancellationToken)
    {
        var versions = await store.VersionsAsync(id, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0
            ? $"workflow '{id}' has no version {version}: the definition store has no workflow '{id}'"
            : $"workflow '{id}' has no version {version} (latest is {versions[^1].Version})";
    }
}
