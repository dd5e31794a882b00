using System.Collections.Concurrent;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;

namespace Gantry.Server.Definitions;

/// <summary>Parsed workflow definitions by content hash: a version's text never changes under its hash, so parsing once is enough.</summary>
internal sealed class DefinitionCache(IDefinitionStore definitions)
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition?> _parsed = new(StringComparer.Ordinal);

    // Published versions never change, so each is read from the store once.
    private readonly ConcurrentDictionary<(string Id, int Version), DefinitionVersion> _published = new();

    public WorkflowDefinition? Parse(DefinitionVersion version) =>
        _parsed.GetOrAdd(version.ContentHash, _ =>
            DocumentLoader.LoadWorkflow(version.Text, version.Id + ".yaml") is { Succeeded: true } loaded ? loaded.Value : null);

    /// <summary>Drops a deleted definition's versions, so a new definition under the same id starts afresh.</summary>
    public void Forget(string id)
    {
        foreach (var key in _published.Keys.Where(k => k.Id == id))
        {
            _published.TryRemove(key, out _);
        }
    }

    /// <summary>Every published workflow by id (what runs start and call).</summary>
    public async Task<Dictionary<string, (DefinitionVersion Version, WorkflowDefinition Workflow)>> PublishedAsync(
        CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (DefinitionVersion, WorkflowDefinition)>(StringComparer.Ordinal);
        foreach (var summary in await definitions.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (summary.PublishedVersion is not { } number)
            {
                continue;
            }

            if (!_published.TryGetValue((summary.Id, number), out var version))
            {
                version = await definitions.GetAsync(summary.Id, number, false, cancellationToken).ConfigureAwait(false);
                if (version is { State: DefinitionState.Published })
                {
                    _published[(summary.Id, number)] = version;
                }
            }

            if (version is not null && Parse(version) is { } workflow)
            {
                result[summary.Id] = (version, workflow);
            }
        }

        return result;
    }

    /// <summary>
    /// What a run of <paramref name="root"/> may call: every published workflow by id, plus each
    /// version that a call pins with <c>version: N</c> (key <c>id@N</c>), also through callees.
    /// A pinned version must be published; otherwise this throws naming the call.
    /// </summary>
    public async Task<Dictionary<string, WorkflowDefinition>> LibraryForAsync(
        WorkflowDefinition root,
        Dictionary<string, (DefinitionVersion Version, WorkflowDefinition Workflow)> published,
        CancellationToken cancellationToken)
    {
        var library = published.ToDictionary(kv => kv.Key, kv => kv.Value.Workflow, StringComparer.Ordinal);
        var seen = new HashSet<WorkflowDefinition>([root], ReferenceEqualityComparer.Instance);
        var pending = new Queue<WorkflowDefinition>([root]);
        while (pending.TryDequeue(out var workflow))
        {
            foreach (var call in workflow.AllSteps().OfType<CallStep>())
            {
                WorkflowDefinition? callee;
                if (call.Version is { } number)
                {
                    var key = DefinitionLibrary.Key(call.Workflow, number);
                    if (!library.TryGetValue(key, out callee))
                    {
                        callee = Parse(await PublishedVersionAsync(call, number, cancellationToken).ConfigureAwait(false))
                            ?? throw new InvalidOperationException(
                                $"{call.Location} {call.Path}: workflow.call of '{call.Workflow}' version {number}: that version cannot be loaded");
                        library[key] = callee;
                    }
                }
                else
                {
                    library.TryGetValue(call.Workflow, out callee);
                }

                if (callee is not null && seen.Add(callee))
                {
                    pending.Enqueue(callee);
                }
            }
        }

        return library;
    }

    private async Task<DefinitionVersion> PublishedVersionAsync(CallStep call, int number, CancellationToken cancellationToken)
    {
        if (_published.TryGetValue((call.Workflow, number), out var cached))
        {
            return cached;
        }

        var version = await definitions.GetAsync(call.Workflow, number, false, cancellationToken).ConfigureAwait(false);
        if (version is not { State: DefinitionState.Published })
        {
            throw new InvalidOperationException(
                version is null
                    ? $"{call.Location} {call.Path}: workflow.call of '{call.Workflow}' version {number}: the definition store has no such version"
                    : $"{call.Location} {call.Path}: workflow.call of '{call.Workflow}' version {number}: that version is a draft; only published "
                        + "versions can be called");
        }

        _published[(call.Workflow, number)] = version;
        return version;
    }
}
