namespace Gantry.Engine.Runtime;

/// <summary>Settings of a <see cref="RunWorker"/>.</summary>
public sealed class RunWorkerOptions
{
    /// <summary>This node's name in leases. The default value is the machine name and process id.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How long a claim holds a run; the worker renews it every third of this while the run executes,
    /// and another node takes the run over once it expires. The default value is 30 seconds.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker fires due timers and claims runs. The default value is 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many runs this node executes at once. The default value is 4.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;
}
