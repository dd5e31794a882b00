namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// What one load-balancer product (HAProxy, nginx, the sandbox) must do. Group logic, the
/// <c>min_live_groups</c> safety rule and "which group is out" live above this, in
/// <c>LoadBalancerController</c>, so every product obeys the same contract.
/// </summary>
public interface ILoadBalancerDriver
{
    /// <summary>Reads the live state of every server of the backend, asked fresh each call.</summary>
    Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes servers out of rotation: drain (no new sessions), wait until in-flight sessions end
    /// or <paramref name="options"/>' drain timeout passes, then maintenance. Idempotent.
    /// </summary>
    Task TakeOutAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken);

    /// <summary>Brings servers back into rotation and waits until health checks report them up. Idempotent.</summary>
    Task BringLiveAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken);
}

/// <summary>Administrative state of a server as the load balancer sees it.</summary>
public enum AdminState { Ready, Drain, Maint }

/// <summary>Health as reported by the load balancer's checks.</summary>
public enum HealthState { Up, Down, NoCheck }

/// <summary>One backend server's state.</summary>
/// <param name="Name">Server name inside the backend (the host's <c>lb_server</c>).</param>
/// <param name="Admin">Administrative state.</param>
/// <param name="Health">Health-check view.</param>
/// <param name="CurrentSessions">In-flight sessions (HAProxy <c>scur</c>); 0 where unknown.</param>
/// <param name="Weight">Weight where the product reports one.</param>
/// <param name="LastCheck">Last health-check status text, for error messages.</param>
public sealed record ServerState(string Name, AdminState Admin, HealthState Health, int CurrentSessions, int? Weight, string? LastCheck = null)
{
    /// <summary>A server takes traffic when it is ready and not known to be down.</summary>
    public bool IsLive => Admin == AdminState.Ready && Health != HealthState.Down;
}

/// <summary>Waits and timeouts that govern taking servers out and bringing them live.</summary>
public sealed record LoadBalancerTimings
{
    /// <summary>How long in-flight sessions may take to finish. The default value is 60 seconds.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>When the drain timeout passes: put the server in maintenance anyway (true) or fail (false). The default value is false.</summary>
    public bool ForceAfterDrainTimeout { get; init; }

    /// <summary>How long a server may take to be reported up after it is made ready. The default value is 30 seconds.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often state is polled while waiting. The default value is 50 ms (a runtime-API read is cheap; a slower poll only adds to every
    /// drain and health wait).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Products without session counts (nginx) wait this long after a change so in-flight requests finish. The default value is 5
    /// seconds.</summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(5);
}
