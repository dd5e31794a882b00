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
    private async Task RunWakingAsync(string runId)
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
                    return;
                }
            }

            try
            {
                await ClaimAndExecuteAsync(runId, cancel, CancellationToken.None).ConfigureAwait(false);
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
