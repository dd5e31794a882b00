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
    /// <param name="claimed">The run as this process created it, already leased to it: its first pass needs no claim.</param>
    private async Task RunWakingAsync(string runId, ClaimedRun? claimed)
    {
        while (true)
        {
            CancellationTokenSource? cancel;
            lock (_wakeGate)
            {
                cancel = Register(runId, CancellationToken.None);
                if (cancel is null)
                {
                    _wakeAgain.Add(runId);
                }
            }

            if (cancel is null)
            {
                if (claimed is not null)
                {
                    // Executing here already (it cannot be for a run just created): the execution there claims it again.
                    await Leases.ReleaseLeaseAsync(claimed.Lease, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }

            try
            {
                if (claimed is { } first)
                {
                    claimed = null;
                    var (_, woken) = await ExecuteLeasedAsync(first.Lease, _options.Lease, cancel, CancellationToken.None, first.Run)
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
