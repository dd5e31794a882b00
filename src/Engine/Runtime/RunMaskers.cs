using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gantry.Engine.Expressions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The secret masker of each run an engine executes, so that a log line carrying a run's failure (a lease it could
/// not renew or release, an execution that threw in the background) is masked like the run's journal. The journal
/// masks everything it writes; a logger knows nothing of the run's secrets.
/// </summary>
internal sealed class RunMaskers
{
    private readonly ConcurrentDictionary<string, SecretMasker> _executing = new(StringComparer.Ordinal);

    // An exception that left an execution keeps the masker of its run: it is logged (background run, worker) after the
    // execution ended. Weak keys: the table holds neither the exception nor the masker longer than the exception lives.
    private readonly ConditionalWeakTable<Exception, SecretMasker> _escaped = [];

    /// <summary>The run's execution built its context: <paramref name="masker"/> knows its secrets from now on.</summary>
    public void Executing(string runId, SecretMasker masker) => _executing[runId] = masker;

    /// <summary>The run's execution in this engine ended.</summary>
    public void Ended(string runId) => _executing.TryRemove(runId, out _);

    /// <summary>
    /// For an exception filter around an execution: remembers the run's masker for <paramref name="exception"/>, which
    /// is leaving the execution, and returns false (the exception goes on unchanged, its stack trace intact).
    /// </summary>
    public bool Escaping(string runId, Exception exception)
    {
        if (_executing.TryGetValue(runId, out var masker))
        {
            _escaped.AddOrUpdate(exception, masker);
        }

        return false;
    }

    /// <summary>
    /// <paramref name="exception"/> masked with the secrets of run <paramref name="runId"/>. An exception thrown before
    /// the run's execution read any secret has only URL credentials masked.
    /// </summary>
    public MaskedException Masked(string runId, Exception exception) =>
        new(exception, _escaped.TryGetValue(exception, out var escaped) ? escaped : _executing.GetValueOrDefault(runId) ?? new SecretMasker());
}
