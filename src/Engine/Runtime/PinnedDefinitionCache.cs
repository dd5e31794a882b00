using System.Collections.Concurrent;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Parsed pinned definitions by their key and text. Every execution of a run (a start, each resume)
/// rebuilds its definitions from the texts pinned in its record; parsing and checking a long workflow
/// again for each run cost more than running its steps. A definition is immutable once loaded, and
/// the same text under the same key loads to the same definition, so runs share them.
/// </summary>
internal sealed class PinnedDefinitionCache
{
    // Enough for every workflow a server runs; past it the cache starts over rather than tracking use.
    private const int Capacity = 256;
    private readonly ConcurrentDictionary<(string Key, string Text), WorkflowDefinition> _loaded = new();

    public WorkflowDefinition Load(string key, string text)
    {
        if (_loaded.TryGetValue((key, text), out var cached))
        {
            return cached;
        }

        var loaded = DocumentLoader.LoadWorkflow(text, key).GetOrThrow();
        if (_loaded.Count >= Capacity)
        {
            _loaded.Clear();
        }

        _loaded[(key, text)] = loaded;
        return loaded;
    }
}
