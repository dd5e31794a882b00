using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Cli.Tests.Durable;

namespace Gantry.Cli.Tests.Service;

/// <summary>
/// The real <c>gantry</c> started the way a systemd unit starts it: a child process (<c>dotnet gantry.dll
/// ARGS</c>) in the workspace with NOTIFY_SOCKET and JOURNAL_STREAM set, stopped with SIGTERM as
/// <c>systemctl stop</c> does. Killed by its PID if a test leaves it running.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    public static ServiceProcess Start(string workspace, string notifySocket, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [GantryProcess.GantryDll, .. args])
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("GANTRY_DB");
        start.Environment.Remove("NO_COLOR");
        start.Environment["NOTIFY_SOCKET"] = notifySocket;
        // What systemd sets when stdout goes to the journal (device:inode of the stream).
        start.Environment["JOURNAL_STREAM"] = "8:12345";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Add(e.Data);
        process.ErrorDataReceived += (_, e) => service.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>SIGTERM, as <c>systemctl stop</c> sends with KillMode=mixed.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the exit; fails after <paramref name="bound"/> with the output. Returns the exit code and how long it took.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> WaitForExitAsync(TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"gantry did not exit within {bound.TotalSeconds:F0} s of SIGTERM; output:\n{Output}");
        }

        // The asynchronous readers may still hold the last lines.
        _process.WaitForExit();
        return (_process.ExitCode, clock.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }
}
