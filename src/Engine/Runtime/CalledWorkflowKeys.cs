using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The concurrency keys that <c>workflow.call</c> steps take for the workflows they call: a called
/// rolling-deploy holds <c>deploy-{env}</c> as a run of it would, so a hotfix's deploy and a daily
/// release's never overlap. The store's holder of such a key is the calling run; a key the run already
/// holds (its own, or an enclosing call's) is inherited, neither waited for nor released. A key held by
/// another run is polled for while the call waits before its first step (queue: reject fails the step instead);
/// the wait holds the run's lease and no process slot is lost to a deadlock, as the holder never waits on
/// this run. The key is released once the call ends, and the runs queued behind it are promoted.
/// </summary>
internal sealed class CalledWorkflowKeys(RunRecord record, IRunStore store, TimeProvider time, Func<string, Task> keyFreed)
{
    /// <summary>How often a waiting call asks for the key again; short next to a rollout, cheap for the store.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>Keys held by calls in progress, by the call's step path: inner calls inherit them.</summary>
    private readonly Dictionary<string, string> _held = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the key of <paramref name="callee"/> for the call at <paramref name="path"/>, waiting while
    /// another run holds it. Returns the key to release when the call ends, or null when there is none to
    /// release (no concurrency, or inherited).
    /// </summary>
    public async Task<string?> AcquireAsync(
        CallStep call,
        string path,
        WorkflowDefinition callee,
        TemplateScope scope,
        JournalWriter journal,
        CancellationToken cancellationToken)
    {
        if (callee.Concurrency is not { } concurrency)
        {
            return null;
        }

        var scalar = new Documents.DocScalar(concurrency.Key, Documents.ScalarKind.String, concurrency.Location);
        var key = Convert.ToString(TemplateRenderer.Evaluate(scalar, scope, cancellationToken), System.Globalization.CultureInfo.InvariantCulture)!;
        if (IsInherited(key, path))
        {
            return null;
        }

        var logged = false;
        while (await store.TryAcquireKeyAsync(key, record.Id, cancellationToken).ConfigureAwait(false) is { } holder)
        {
            if (concurrency.Queue == ConcurrencyQueue.Reject)
            {
                throw new StepFailedException(
                    path,
                    call.Label,
                    new ErrorInfo(
                        "ConcurrencyConflict",
                        $"workflow {callee.Id}'s concurrency key '{key}' is held by run {holder}; it refuses to wait (concurrency.queue: reject)"));
            }

            if (!logged)
            {
                await journal
                    .LogAsync(path, $"workflow.call {callee.Id}: queued behind run {holder}, which holds concurrency key '{key}'")
                    .ConfigureAwait(false);
                logged = true;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }

        lock (_held)
        {
            _held[path] = key;
        }

        if (logged)
        {
            await journal.LogAsync(path, $"workflow.call {callee.Id}: took concurrency key '{key}'").ConfigureAwait(false);
        }

        return key;
    }

    /// <summary>Gives the key up once the call at <paramref name="path"/> ended, and starts the next run queued for it.</summary>
    public async Task ReleaseAsync(string key, string path)
    {
        lock (_held)
        {
            _held.Remove(path);
        }

        await store.ReleaseKeyAsync(key, record.Id, CancellationToken.None).ConfigureAwait(false);
        await keyFreed(key).ConfigureAwait(false);
    }

    /// <summary>The run's own key, or one an enclosing call (a path that <paramref name="path"/> lies under) holds.</summary>
    private bool IsInherited(string key, string path)
    {
        if (string.Equals(record.ConcurrencyKey, key, StringComparison.Ordinal))
        {
            return true;
        }

        lock (_held)
        {
            return _held.Any(h => string.Equals(h.Value, key, StringComparison.Ordinal) && path.StartsWith(h.Key + "/", StringComparison.Ordinal));
        }
    }
}
