namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>A long-lived <c>gantry serve</c> or <c>gantry worker</c> of the test; restarted with the same command after each SIGKILL.</summary>
internal sealed class KillableNode(string name, DurableWorkspace workspace, string[] args) : IDisposable
{
    private readonly List<GantryProcess> _lives = [];

    public string Name { get; } = name;

    public GantryProcess Current { get; private set; } = null!;

    /// <summary>Everything every life of this node printed, for failure messages.</summary>
    public IEnumerable<string> Output => _lives.SelectMany(p => p.Output);

    public KillableNode Start()
    {
        Current = workspace.Start(args);
        _lives.Add(Current);
        return this;
    }

    /// <summary>SIGKILL, then the same command again, as a supervisor (systemd) would.</summary>
    public void KillAndRestart()
    {
        Current.Kill();
        Start();
    }

    public void Dispose() => _lives.ForEach(p => p.Dispose());
}
