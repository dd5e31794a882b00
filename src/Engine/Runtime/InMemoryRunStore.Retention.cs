namespace Gantry.Engine.Runtime;

/// <summary>Pruning, so a long-lived in-memory store (a benchmark's) does not keep every finished run.</summary>
public sealed partial class InMemoryRunStore : IRunRetention
{
    /// <summary>Deletes runs that are finished and last changed before <paramref name="finishedBefore"/>, with their journals and keys.</summary>
    public Task<int> PruneAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var pruned = _runs.Values.Where(r => r.IsFinished && r.UpdatedAt < finishedBefore).Select(r => r.Id).ToList();
            foreach (var runId in pruned)
            {
                _runs.Remove(runId);
                _journals.Remove(runId);
                _generations.Remove(runId);
            }

            foreach (var key in _keys.Where(k => pruned.Contains(k.Value)).Select(k => k.Key).ToList())
            {
                _keys.Remove(key);
            }

            return Task.FromResult(pruned.Count);
        }
    }
}
