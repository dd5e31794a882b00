namespace Gantry.Engine.Runtime;

/// <summary>Settings of one engine instance.</summary>
public sealed class EngineOptions
{
    /// <summary>Gantry's data folder: clones, sandbox state, the SQLite file. The default value is ".gantry".</summary>
    public string DataDirectory { get; set; } = ".gantry";

    /// <summary>How long on_failure and finally may run after a cancel (they run under their own token). The default value is 10 minutes.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether this engine resumes runs by itself: arms timers of waiting runs and starts the next
    /// queued run when a concurrency key is freed. Set it to false when a <see cref="RunWorker"/>
    /// (here or on another node) schedules runs under leases; the worker then fires due timers and
    /// claims queued runs. The default value is true.
    /// </summary>
    public bool ResumeInProcess { get; set; } = true;

    /// <summary>
    /// How long this engine's claim on a run lasts without renewal. Every execution holds the run's lease and
    /// renews it every third of this; when the process dies, another process takes the run over once it
    /// expires (a server or worker within this plus one poll). The default value is 30 seconds.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's name among several nodes. The default value is the machine name and process id.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
