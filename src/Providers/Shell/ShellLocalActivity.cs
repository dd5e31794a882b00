using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Schema;
using Gantry.Providers.Processes;

namespace Gantry.Providers.Shell;

[Activity("shell.local", Description = "Runs a command on the Gantry machine, streaming its output to the journal; fails on an unexpected exit code.",
    Example = "uses: shell.local\nwith:\n  command: [git, fetch, --tags, origin]\n  working_dir: \"{{ env.vars.checkout }}\"\n  timeout: 2m")]
internal sealed class ShellLocalActivity : Activity<ShellLocalActivity.Inputs, ShellLocalActivity.Outputs>
{
    private const int StdoutTailChars = 64 * 1024;
    private const int StderrTailLines = 20;

    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var command = ShellCommand.From(context, input.Command, input.Shell, input.Timeout);
        var masker = context.Secrets.Masker;
        var shown = masker.Apply(command.Display);
        var process = new LocalProcess(command.Argv)
        {
            WorkingDirectory = string.IsNullOrEmpty(input.WorkingDir) ? null : Path.GetFullPath(input.WorkingDir),
            Environment = input.Env,
            OutputLimit = StdoutTailChars,
            OnOutputLine = line => context.Log.Output(masker.Apply(line), "stdout"),
            OnErrorLine = line => context.Log.Output(masker.Apply(line), "stderr"),
            Mask = masker.Apply,
        };

        using var timeout = input.Timeout is { } limit ? new CancellationTokenSource(limit, context.Time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        LocalProcessResult result;
        try
        {
            result = await LocalProcessRunner.RunAsync(process, linked.Token).ConfigureAwait(false);
        }
        catch (LocalProcessStartException ex)
        {
            throw new ShellCommandException($"shell.local: cannot start {shown}: {ex.Reason}", -1, "");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ShellTimeoutException($"shell.local: {shown} timed out after {Duration.Format(input.Timeout!.Value)} and was killed");
        }

        var stderrTail = string.Join("\n", Lines(result.StandardError).TakeLast(StderrTailLines));
        if (result.ExitCode != input.ExpectExitCode)
        {
            var detail = stderrTail.Length == 0 ? "" : $"; stderr: {stderrTail}";
            throw new ShellCommandException(
                masker.Apply($"shell.local: {command.Display} exited with code {result.ExitCode} (expected {input.ExpectExitCode}){detail}"),
                result.ExitCode,
                masker.Apply(stderrTail));
        }

        return new Outputs { ExitCode = result.ExitCode, Stdout = string.Join("\n", Lines(result.StandardOutput)), StderrTail = stderrTail };
    }

    /// <summary>The lines of a process's output as a line reader gives them: \n, \r\n and \r end a line; the last may lack one.</summary>
    private static IEnumerable<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    public sealed class Inputs
    {
        [Description("The program and its arguments as a list, like [git, status]; with shell: true, one shell string.")]
        [Sensitive]
        public required object Command { get; set; }

        [Description("Run command as a script with /bin/sh -c; command must then be a single string.")]
        public bool Shell { get; set; }

        [Description("Folder to run in; the current directory when unset.")]
        public string? WorkingDir { get; set; }

        [Description("Extra environment variables for the process.")]
        [Sensitive]
        public Dictionary<string, string> Env { get; set; } = [];

        [Description("Kill the process (and its children) when it runs longer than this; unset means no limit beyond the step's timeout.")]
        public TimeSpan? Timeout { get; set; }

        [Description("The exit code that means success.")]
        public int ExpectExitCode { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The process's exit code.")]
        public int ExitCode { get; set; }

        [Description("Standard output, lines joined with \\n; the last 64 KB when longer.")]
        public string Stdout { get; set; } = "";

        [Description("The last 20 lines of standard error.")]
        public string StderrTail { get; set; } = "";
    }
}

/// <summary>A local command exited with an unexpected code or could not start; the message names it (masked), the code and stderr's tail.</summary>
public sealed class ShellCommandException(string message, int exitCode, string stderrTail) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public string StderrTail { get; } = stderrTail;
}

/// <summary>A local command ran past its timeout and was killed with its children.</summary>
public sealed class ShellTimeoutException(string message) : TimeoutException(message);
