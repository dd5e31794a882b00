using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>A definition version that calls another workflow: <c>workflow.call</c> of it, pinned to <paramref name="CalledVersion"/> or to its latest
/// published version (null).</summary>
public sealed record DefinitionCaller(string Id, int Version, int? CalledVersion)
{
    public override string ToString() => $"{Id} v{Version} ({(CalledVersion is { } v ? $"calls version {v}" : "calls the published version")})";
}

/// <summary>
/// Finds the definitions that call a workflow, so that a workflow others depend on is not deleted
/// under them. Only versions that can still start runs or be published count: each other
/// definition's latest published version and any newer draft. Runs already started carry their own
/// copies of the definitions they call, so older versions do not hold a workflow.
/// </summary>
public static class DefinitionCallers
{
    /// <summary>Every live version of another definition with a <c>workflow.call</c> of <paramref name="id"/>, by id then version.</summary>
    public static async Task<IReadOnlyList<DefinitionCaller>> FindAsync(IDefinitionStore store, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);

        var callers = new List<DefinitionCaller>();
        foreach (var summary in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (summary.Id == id)
            {
                continue;
            }

            var live = new SortedSet<int> { summary.LatestVersion };
            if (summary.PublishedVersion is { } published)
            {
                live.Add(published);
            }

            foreach (var number in live)
            {
                if (await store.GetAsync(summary.Id, number, fallBackToDraft: false, cancellationToken).ConfigureAwait(false) is not { } version
                    || DocumentLoader.LoadWorkflow(version.Text, $"{summary.Id}@v{number}").Value is not { } workflow)
                {
                    continue;
                }

                callers.AddRange(Calls(workflow, id).Select(called => new DefinitionCaller(summary.Id, number, called)));
            }
        }

        return callers;
    }

    /// <summary>The sentence a refused delete shows: which definitions and versions call the workflow.</summary>
    public static string Describe(string id, IReadOnlyList<DefinitionCaller> callers) =>
        $"workflow '{id}' cannot be deleted: it is called by {string.Join(", ", callers)}; change or delete those callers first";

    private static IEnumerable<int?> Calls(WorkflowDefinition workflow, string id) =>
        workflow.AllSteps().OfType<CallStep>().Where(c => c.Workflow == id).Select(c => c.Version).Distinct();
}
