namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Runs a command given as an argument vector (no shell) and reports how it ended. The local
/// implementation is <see cref="LocalCommandRunner"/>; an SSH implementation runs the same argv on
/// the load-balancer host.
/// </summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="argv"/> (program first) to completion.</summary>
    /// <exception cref="NginxException">The program could not be started.</exception>
    Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken);
}

/// <summary>How a command ended.</summary>
/// <param name="ExitCode">The process exit code; 0 is success.</param>
/// <param name="StandardOutput">Everything written to standard output.</param>
/// <param name="StandardError">Everything written to standard error.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The command exited with code 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
