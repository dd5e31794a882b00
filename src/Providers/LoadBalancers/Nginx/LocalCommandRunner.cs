using Gantry.Providers.Processes;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>Runs commands on this machine as child processes (<see cref="LocalProcessRunner"/>), reading their output asynchronously.</summary>
public sealed class LocalCommandRunner : ICommandRunner
{
    /// <summary>A shared instance; the runner has no state.</summary>
    public static LocalCommandRunner Instance { get; } = new();

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("The command is empty: give at least the program to run.", nameof(argv));
        }

        try
        {
            var result = await LocalProcessRunner.RunAsync(new LocalProcess(argv), cancellationToken).ConfigureAwait(false);
            return new CommandResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (LocalProcessStartException ex)
        {
            throw new NginxException($"Command '{CommandLine.Format(argv)}' could not be started: {ex.Reason}.", ex);
        }
    }
}
