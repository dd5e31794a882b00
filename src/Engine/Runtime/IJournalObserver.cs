namespace Gantry.Engine.Runtime;

/// <summary>
/// Sees every journal event as it is written (live progress, SSE, metrics). Observers must not
/// fail the run: the engine catches and drops their exceptions.
/// </summary>
public interface IJournalObserver
{
    void OnEvent(RunRecord run, JournalEvent journalEvent);
}
