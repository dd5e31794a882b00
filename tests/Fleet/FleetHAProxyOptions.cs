namespace Gantry.Testing.Fleet;

/// <summary>One server of the <see cref="FleetHAProxy"/> backend: its name (web1, …) and where it answers HTTP.</summary>
public sealed record FleetHAProxyServer(string Name, string Address, int Port);

/// <summary>How a <see cref="FleetHAProxy"/> checks its servers and treats a failed connect.</summary>
public sealed record FleetHAProxyOptions
{
    /// <summary>Time between two health checks of a server.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Failed checks in a row before a server is DOWN.</summary>
    public int Fall { get; init; } = 2;

    /// <summary>
    /// Retry a request whose connect failed on another server (<c>retries 3</c>, <c>option redispatch</c>),
    /// as operators configure it; off, every request sent to a server that is down fails.
    /// </summary>
    public bool RetryElsewhere { get; init; }
}
