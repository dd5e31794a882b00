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
        _parsed.GetOrAdd(version.ContentHash, _ => DocumentLoader.LoadWorkflow(version.Text, version.Id + ".yaml") is { Succeeded: true } loaded ? loaded.Value : null);

    /// <summary>Every published workflow by id (what runs start and call).</summary>
    public async Task<Dictionary<string, (DefinitionVersion Version, WorkflowDefinition Workflow)>> PublishedAsync(CancellationToken cancellationToken)
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
}
