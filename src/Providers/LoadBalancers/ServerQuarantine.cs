namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Load-balancer servers whose host is quarantined (left in an unknown state by a failed rollback),
/// with why; <see cref="LoadBalancerController"/> never brings them live except by an explicit
/// <c>lb.ready</c> on one, which releases it.
/// </summary>
/// <param name="Servers">Server name → why its host is quarantined.</param>
/// <param name="Release">Takes a server's host out of quarantine (in the store every node shares).</param>
public sealed record ServerQuarantine(IReadOnlyDictionary<string, string> Servers, Func<string, CancellationToken, Task> Release)
{
    /// <summary>No server is quarantined.</summary>
    public static ServerQuarantine None { get; } = new(new Dictionary<string, string>(), (_, _) => Task.CompletedTask);
}
