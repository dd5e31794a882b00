namespace Gantry.Engine.Runtime;

/// <summary>Settings of one engine instance.</summary>
public sealed class EngineOptions
{
    /// <summary>Gantry's data folder: clones, sandbox state, the SQLite file. The default value is ".gantry".</summary>
    public string DataDirectory { get; set; } = ".gantry";

    /// <summary>How long on_failure and finally may run after a cancel (they run under their own token). The default value is 10 minutes.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>This process's name among several nodes. The default value is the machine name and process id.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
