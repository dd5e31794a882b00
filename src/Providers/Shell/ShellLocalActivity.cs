using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Gantry.Engine.Activities;
using Gantry.Engine.Schema;

namespace Gantry.Providers.Shell;

[Activity("shell.local", Description = "Runs a command on the Gantry machine, streaming its output to the journal; fails on an unexpected exit code.",
    Example = "uses: shell.local\nwith:\n  command: [git, fetch, --tags, origin]\n  working_dir: \"{{ env.vars.checkout }}\"\n  timeout: 2m")]
internal sealed class ShellLocalActivity : Activity<ShellLocalActivity.Inputs, ShellLocalActivity.Outputs>
{
    private const int StdoutTailChars = 64 * 1024;
    private const int StderrTailLines = 20;

    // After the process is gone its pipes close; this only bounds the wait when a detached grandchild keeps them open.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var command = ShellCommand.From(context, input.Command, input.Shell, input.Timeout);
        var masker = context.Secrets.Masker;
        var shown = masker.Apply(command.Display);

        using var process = new Process { StartInfo = StartInfo(command, input) };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ShellCommandException($"shell.local: cannot start {shown}: {masker.Apply(ex.Message)}", -1, "");
        }

        process.StandardInput.Close();
        var stdout = new StdoutTail(StdoutTailChars);
        var stderr = new Queue<string>();
        var readers = Task.WhenAll(
            PumpAsync(process.StandardOutput, line =>
            {
                stdout.Add(line);
                context.Log.Output(masker.Apply(line), "stdout");
            }),
            PumpAsync(process.StandardError, line =>
            {
                lock (stderr)
                {
                    stderr.Enqueue(line);
                    if (stderr.Count > StderrTailLines)
                    {
                        stderr.Dequeue();
                    }
                }

                context.Log.Output(masker.Apply(line), "stderr");
            }));

        using var timeout = input.Timeout is { } limit ? new CancellationTokenSource(limit, context.Time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            await readers.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync(process, readers).ConfigureAwait(false);
            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ShellTimeoutException($"shell.local: {shown} timed out after {Duration.Format(input.Timeout!.Value)} and was killed");
            }

            throw;
        }

        var stderrTail = string.Join("\n", stderr);
        if (process.ExitCode != input.ExpectExitCode)
        {
            var detail = stderrTail.Length == 0 ? "" : $"; stderr: {stderrTail}";
            throw new ShellCommandException(
                masker.Apply($"shell.local: {command.Display} exited with code {process.ExitCode} (expected {input.ExpectExitCode}){detail}"),
                process.ExitCode,
                masker.Apply(stderrTail));
        }

        return new Outputs { ExitCode = process.ExitCode, Stdout = stdout.ToString(), StderrTail = stderrTail };
    }

    private static ProcessStartInfo StartInfo(ShellCommand command, Inputs input)
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

        if (!string.IsNullOrEmpty(input.WorkingDir))
        {
            info.WorkingDirectory = Path.GetFullPath(input.WorkingDir);
        }

        foreach (var (name, value) in input.Env)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            onLine(line);
        }
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
        }
    }

    /// <summary>The last N characters of stdout, cut at a line start; lines joined with \n.</summary>
    private sealed class StdoutTail(int limit)
    {
        private readonly StringBuilder _text = new();

        public void Add(string line)
        {
            lock (_text)
            {
                if (_text.Length > 0)
                {
                    _text.Append('\n');
                }

                _text.Append(line);
                if (_text.Length > 2 * limit)
                {
                    Trim();
                }
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                Trim();
                return _text.ToString();
            }
        }

        private void Trim()
        {
            if (_text.Length <= limit)
            {
                return;
            }

            var cut = _text.Length - limit;
            var text = _text.ToString();
            var newline = text.IndexOf('\n', cut);
            _text.Remove(0, newline >= 0 && newline < text.Length - 1 ? newline + 1 : cut);
        }
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
