namespace Gantry.Engine.Runtime;

public sealed partial class WorkflowEngine
{
    private readonly object _wakeGate = new();
    private readonly HashSet<string> _wakeAgain = new(StringComparer.Ordinal);

    /// <summary>
    /// A background execution that no wake-up is lost to. A signal journaled while the run executes
    /// here is not in that execution's snapshot, and its sender cannot start the run (it is active):
    /// the sender leaves a wake-up instead, and the execution runs the run again once it ends.
    /// </summary>
    /// <param name="created">The run as this process created it, leased and registered: its first pass needs no claim and no
    /// registration.</param>
    private async Task RunWakingAsync(string runId, CreatedRun? created)
    {
        while (true)
        {
            CancellationTokenSource? cancel = created?.Cancel;
            if (cancel is null)
            {
                lock (_wakeGate)
                {
                    cancel = Register(runId, CancellationToken.None);
                    if (cancel is null)
                    {
                        _wakeAgain.Add(runId);
                        return;
                    }
                }
            }

            try
            {
                if (created is { } first)
                {
                    created = null;
                    var (_, woken) = await ExecuteLeasedAsync(first.Lease, _options.Lease, cancel, CancellationToken.None, first)
                        .ConfigureAwait(false);
                    if (woken)
                    {
                        await ClaimAndExecuteAsync(runId, cancel, CancellationToken.None, again: true).ConfigureAwait(false);
                    }
                }
                else
                {
                    await ClaimAndExecuteAsync(runId, cancel, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (_maskers.Escaping(runId, ex))
            {
                throw; // never reached: the filter only remembers the run's masker for whoever logs the exception
            }
            finally
            {
                Unregister(runId, cancel);
            }

            lock (_wakeGate)
            {
                if (!_wakeAgain.Remove(runId))
                {
                    return;
                }
            }
        }
    }
}
