using Gantry.Providers.Ssh;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// The load-balancer host that <see cref="SshCommandRunner"/> and <see cref="SshConfigFileStore"/>
/// reach. Each call opens its own connection and closes it when done: a load-balancer controller
/// has no lifetime to hold a connection across calls, and a change makes only a handful of calls.
/// </summary>
/// <param name="host">The host running nginx.</param>
/// <param name="options">known_hosts, credentials and timeouts.</param>
/// <param name="timeProvider">Clock for connection and command timeouts. The default is <see cref="TimeProvider.System"/>.</param>
public sealed class SshLoadBalancerHost(SshHost host, SshConnectionOptions options, TimeProvider? timeProvider = null)
{
    /// <summary>The host running nginx.</summary>
    public SshHost Host { get; } = host ?? throw new ArgumentNullException(nameof(host));

    internal async Task<T> WithConnectionAsync<T>(Func<SshHostConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        using var pool = new SshConnectionPool(options, timeProvider);
        try
        {
            var connection = await pool.GetAsync(Host, cancellationToken).ConfigureAwait(false);
            return await action(connection).ConfigureAwait(false);
        }
        catch (SshHostException ex)
        {
            throw new NginxException($"nginx host {Host}: {ex.Message}", ex);
        }
    }

    internal Task<Ssh.CommandResult> ExecuteAsync(SshHostConnection connection, string command, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(command, new RemoteCommandOptions { ReportOutput = false }, cancellationToken);
}
