using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>Versioned definitions in process memory, with the same rules as the durable stores: for tests and one-shot runs.</summary>
public sealed class InMemoryDefinitionStore(TimeProvider? time = null) : IDefinitionStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, List<DefinitionVersion>> _definitions = new(StringComparer.Ordinal);

    public Task<DefinitionVersion> SaveAsync(string id, string text, string? author, string? comment, CancellationToken cancellationToken)
    {
        var hash = StoreText.ContentHash(text);
        lock (_gate)
        {
            if (!_definitions.TryGetValue(id, out var versions))
            {
                _definitions[id] = versions = [];
            }

            if (versions.Count > 0 && versions[^1].ContentHash == hash)
            {
                return Task.FromResult(versions[^1]);
            }

            var saved = new DefinitionVersion
            {
                Id = id,
                Version = versions.Count + 1,
                Text = text,
                ContentHash = hash,
                Author = author,
                Comment = comment,
                CreatedAt = _time.GetUtcNow(),
            };
            versions.Add(saved);
            return Task.FromResult(saved);
        }
    }

    public Task<DefinitionVersion> UpdateDraftAsync(
        string id,
        int version,
        string text,
        string? author,
        string? comment,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = Find(id, version);
            if (existing.State == DefinitionState.Published)
            {
                throw new DefinitionPublishedException(id, version);
            }

            var updated = existing with
            {
                Text = text,
                ContentHash = StoreText.ContentHash(text),
                Author = author,
                Comment = comment,
                CreatedAt = _time.GetUtcNow(),
            };
            _definitions[id][version - 1] = updated;
            return Task.FromResult(updated);
        }
    }

    public Task<DefinitionVersion> PublishAsync(string id, int version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = Find(id, version);
            if (existing.State == DefinitionState.Published)
            {
                return Task.FromResult(existing);
            }

            var published = existing with { State = DefinitionState.Published, PublishedAt = _time.GetUtcNow() };
            _definitions[id][version - 1] = published;
            return Task.FromResult(published);
        }
    }

    public Task<DefinitionVersion?> GetAsync(string id, int? version, bool fallBackToDraft, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_definitions.TryGetValue(id, out var versions))
            {
                return Task.FromResult<DefinitionVersion?>(null);
            }

            var found = version is { } v
                ? versions.ElementAtOrDefault(v - 1)
                : versions.LastOrDefault(d => d.State == DefinitionState.Published) ?? (fallBackToDraft ? versions.LastOrDefault() : null);
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<DefinitionSummary> list = _definitions
                .Where(d => d.Value.Count > 0)
                .Select(d => new DefinitionSummary(
                    d.Key,
                    d.Value.Count,
                    d.Value.LastOrDefault(v => v.State == DefinitionState.Published)?.Version,
                    d.Value.Max(v => v.PublishedAt is { } p && p > v.CreatedAt ? p : v.CreatedAt)))
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<DefinitionVersion> versions = _definitions.TryGetValue(id, out var list) ? list.ToList() : [];
            return Task.FromResult(versions);
        }
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_definitions.Remove(id));
        }
    }

    private DefinitionVersion Find(string id, int version) =>
        _definitions.TryGetValue(id, out var versions) && version >= 1 && version <= versions.Count
            ? versions[version - 1]
            : throw new KeyNotFoundException($"Definition '{id}' has no version {version}.");
}
