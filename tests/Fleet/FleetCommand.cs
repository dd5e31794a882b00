using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gantry.Testing.Fleet;

/// <summary>Runs the fixture's own commands (ssh-keygen, git, the restart script) and finds free ports.</summary>
public static class FleetCommand
{
    /// <summary>Runs a command to its end; returns its standard output or throws with its standard error.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await stderr}");
    }

    public static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the process whose id is in <paramref name="pidFile"/>, if it still runs.</summary>
    public static void KillByPidFile(string pidFile)
    {
        try
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
        }
    }

    public static Task WaitForPortAsync(string address, int port, Func<string?> failure, TimeSpan timeout, CancellationToken cancellationToken) =>
        Eventually.TrueAsync(
            async () =>
            {
                if (failure() is { } reason)
                {
                    throw new InvalidOperationException(reason);
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(address, port, cancellationToken);
                    return true;
                }
                catch (SocketException)
                {
                    return false; // not listening yet
                }
            },
            $"something listens on {address}:{port}",
            timeout,
            every: TimeSpan.FromMilliseconds(50));

    /// <summary>The repository root: the nearest folder above the running assembly that holds Workflows.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds Workflows.sln; set RealFleetOptions.WorkflowsDirectory");
    }
}
