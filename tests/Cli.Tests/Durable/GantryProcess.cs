using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable;

/// <summary>
/// The real <c>gantry</c> CLI as a child process (<c>dotnet gantry.dll ...</c>) in a workspace, so
/// tests can kill it with SIGKILL at any moment, as a crash or an OOM kill would.
/// </summary>
internal sealed class GantryProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private GantryProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Lines written so far on stdout and stderr.</summary>
    public IReadOnlyList<string> Output => _output.ToList();

    /// <summary>Lines written so far on stderr only (they are in <see cref="Output"/> too).</summary>
    public IReadOnlyList<string> Errors => _errors.ToList();

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Waits until the process exited and its output was read to the end: <see cref="HasExited"/> turns true
    /// before the last lines of stdout and stderr reach <see cref="Output"/> and <see cref="Errors"/>.
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
    }

    public int Id => _process.Id;

    /// <summary>Starts <c>gantry ARGS</c> in <paramref name="workspace"/>; every process gets a short lease so another node takes over quickly.</summary>
    public static GantryProcess Start(string workspace, string lease, params string[] args) =>
        Start(workspace, lease, new Dictionary<string, string>(), args);

    /// <summary>Like <see cref="Start(string, string, string[])"/>, with these environment variables set for the process.</summary>
    public static GantryProcess Start(string workspace, string lease, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [GantryDll, .. args])
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["GANTRY_LEASE"] = lease;
        start.Environment.Remove("GANTRY_DB");
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gantry = new GantryProcess(process);
        process.OutputDataReceived += (_, e) => gantry.Add(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            gantry.Add(e.Data);
            if (e.Data is not null)
            {
                gantry._errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gantry;
    }

    /// <summary>Runs <c>gantry ARGS</c> to its end; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workspace, string lease, params string[] args)
    {
        using var gantry = Start(workspace, lease, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await gantry._process.WaitForExitAsync(timeout.Token);
        return (gantry._process.ExitCode, string.Join('\n', gantry.Output));
    }

    /// <summary>SIGKILL: no handler, no finally, no flush runs in the child.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>
    /// SIGSTOP: the process freezes where it is (as a VM paused or a stop-the-world stall would), holding what it held.
    /// Returns once every thread is stopped: kill(2) only queues the signal, and a thread inside a system call (a file
    /// lock, a write) finishes that call before it stops.
    /// </summary>
    public async Task PauseAsync()
    {
        SendSignal("STOP");
        await Eventually.TrueAsync(EveryThreadStopped, $"every thread of process {_process.Id} stops after SIGSTOP", every: TimeSpan.FromMilliseconds(5));
    }

    /// <summary>SIGCONT: a paused process goes on from where it was, unaware of the time that passed.</summary>
    public void Continue() => SendSignal("CONT");

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>Every thread of the process in state T (stopped), read from <c>/proc/PID/task/TID/stat</c>.</summary>
    private bool EveryThreadStopped()
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended after the listing: it cannot hold anything
            }

            // "TID (comm) STATE ...": comm may hold spaces and parentheses, so the state follows the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            if (state != 'T' && state != 't')
            {
                return false;
            }
        }

        return true;
    }

    private void SendSignal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited {kill.ExitCode}");
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>The CLI built next to these tests (the project reference builds it first).</summary>
    internal static string GantryDll { get; } = FindGantryDll();

    private static string FindGantryDll()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "gantry.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "gantry.runtimeconfig.json")))
        {
            return local;
        }

        // tests/Cli.Tests/bin/CONFIG/TFM/ -> src/Cli/bin/CONFIG/TFM/gantry.dll
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!.FullName;
        var built = Path.Combine(root, "src", "Cli", "bin", configuration.Name, tfm.Name, "gantry.dll");
        return File.Exists(built) ? built : throw new FileNotFoundException($"gantry.dll was not found next to the tests nor at {built}");
    }
}
