using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Gantry.Providers.Processes;

/// <summary>
/// The one way Providers start a program on this machine (git, shell.local, the release archive,
/// nginx commands): an argument list (no shell quoting), stdin closed so nothing can prompt, both
/// outputs read as they arrive and kept up to a limit. Cancelling the token kills the process and
/// its children, reaps it, and throws <see cref="OperationCanceledException"/>.
/// </summary>
internal static class LocalProcessRunner
{
    // After the process is killed its pipes close; this only bounds the wait when a detached grandchild keeps them open.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    /// <exception cref="LocalProcessStartException">The program could not be started.</exception>
    public static async Task<LocalProcessResult> RunAsync(LocalProcess command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Argv.Count == 0)
        {
            throw new ArgumentException("The command is empty: give at least the program to run.", nameof(command));
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = StartInfo(command) };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new LocalProcessStartException(command.Mask(command.Argv[0]), command.Mask(ex.Message), ex);
        }

        process.StandardInput.Close();
        var stdout = new OutputCapture(command.OutputLimit, command.OnOutputLine);
        var stderr = new OutputCapture(command.OutputLimit, command.OnErrorLine);
        var readers = Task.WhenAll(stdout.ReadAsync(process.StandardOutput), stderr.ReadAsync(process.StandardError));
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await readers.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(process, readers).ConfigureAwait(false);
            throw;
        }

        return new LocalProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString(), stdout.Truncated || stderr.Truncated);
    }

    private static ProcessStartInfo StartInfo(LocalProcess command)
    {
        var info = new ProcessStartInfo(command.Argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        if (!string.IsNullOrEmpty(command.WorkingDirectory))
        {
            info.WorkingDirectory = command.WorkingDirectory;
        }

        foreach (var (name, value) in command.Environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static async Task KillAsync(Process process, Task readers)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        // Cleanup runs whatever the caller's token says: the process must be reaped and its pipes drained.
        using var drain = new CancellationTokenSource(DrainLimit);
        try
        {
            await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            await readers.WaitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A grandchild that left the process group still holds a pipe: give up on the rest of its output.
        }
    }
}
