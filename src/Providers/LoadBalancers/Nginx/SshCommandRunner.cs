namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Runs the test and reload commands on the load-balancer host over SSH. The argv is joined with
/// every word single-quoted, so the remote shell passes each one through unchanged.
/// </summary>
public sealed class SshCommandRunner(SshLoadBalancerHost host) : ICommandRunner
{
    /// <inheritdoc />
    /// <exception cref="NginxException">The host could not be reached or the command timed out.</exception>
    public Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("The command is empty: give at least the program to run.", nameof(argv));
        }

        var command = string.Join(' ', argv.Select(Ssh.PosixShell.Quote));
        return host.WithConnectionAsync(
            async connection =>
            {
                var result = await host.ExecuteAsync(connection, command, cancellationToken).ConfigureAwait(false);
                return new CommandResult(result.ExitCode, result.StandardOutput, result.StandardError);
            },
            cancellationToken);
    }
}
