using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Testing.Fleet;

/// <summary>
/// Real OpenSSH servers (<c>sshd -D -e</c>, child processes) listening on every host's loopback
/// address on one port, with one host key pinned in a known_hosts file and a client key for Gantry.
/// OpenSSH listens on at most 16 addresses per process, so each 16 hosts get an sshd of their own.
/// </summary>
internal sealed class FleetSshd : IAsyncDisposable
{
    /// <summary>OpenSSH's MAX_LISTEN_SOCKS.</summary>
    private const int AddressesPerServer = 16;

    private readonly StringBuilder _log = new();
    private readonly List<Process> _processes = [];

    private FleetSshd(string folder)
    {
        Folder = folder;
    }

    public string Folder { get; }

    public int Port { get; private set; }

    public string KnownHostsPath => Path.Combine(Folder, "known_hosts");

    public string ClientKeyPath => Path.Combine(Folder, "client_key");

    /// <summary>The private host key every sshd offers (its .pub beside it), as pinned in <see cref="KnownHostsPath"/>.</summary>
    public string HostKeyPath => Path.Combine(Folder, "ssh_host_ed25519_key");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<FleetSshd> StartAsync(string folder, IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory("/run/sshd");
        var sshd = new FleetSshd(folder);
        try
        {
            await sshd.StartAsync(addresses, cancellationToken);
            return sshd;
        }
        catch
        {
            await sshd.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private async Task StartAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var hostKey = HostKeyPath;
        foreach (var key in new[] { hostKey, ClientKeyPath })
        {
            await FleetCommand.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "gantry-e2e", "-f", key], cancellationToken: cancellationToken);
        }

        var fields = (await File.ReadAllTextAsync(hostKey + ".pub", cancellationToken)).Trim().Split(' ');
        File.Copy(ClientKeyPath + ".pub", Path.Combine(Folder, "authorized_keys"));
        Port = PortFreeOnEvery(addresses);
        await File.WriteAllLinesAsync(KnownHostsPath, addresses.Select(a => $"[{a}]:{Port} {fields[0]} {fields[1]}"), cancellationToken);
        Directory.CreateDirectory(Path.Combine(Folder, "home"));
        var chunks = addresses.Chunk(AddressesPerServer).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var config = Path.Combine(Folder, $"sshd_config.{i}");
            await File.WriteAllLinesAsync(config, chunks[i].Select(a => $"ListenAddress {a}:{Port}").Concat(Settings(hostKey, i)), cancellationToken);
            Start(config);
        }

        foreach (var address in addresses)
        {
            await FleetCommand.WaitForPortAsync(
                address,
                Port,
                () => _processes.FirstOrDefault(p => p.HasExited) is { } dead ? $"sshd exited with {dead.ExitCode}:\n{Log}" : null,
                TimeSpan.FromSeconds(15),
                cancellationToken);
        }
    }

    private IEnumerable<string> Settings(string hostKey, int index) =>
    [
        $"HostKey {hostKey}",
        $"PidFile {Path.Combine(Folder, $"sshd.{index}.pid")}",
        $"AuthorizedKeysFile {Path.Combine(Folder, "authorized_keys")}",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "MaxStartups 200",
        "MaxSessions 200",
        "LogLevel INFO",
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        // Sessions get an empty home of their own: bash started by sshd reads ~/.bashrc even for
        // one command, and the test user's (root's pyenv and cargo set-up here) cost 2 s or more
        // per command, which would dominate every deploy. Real hosts keep their own shells.
        $"SetEnv HOME={Path.Combine(Folder, "home")}",
    ];

    private void Start(string config)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.Start();
        _processes.Add(process);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    /// <summary>A port that no listener holds on any of <paramref name="addresses"/> (each host's own address, all one port).</summary>
    private static int PortFreeOnEvery(IReadOnlyList<string> addresses)
    {
        while (true)
        {
            var port = FleetCommand.FreePort(addresses[0]);
            if (addresses.All(a => IsFree(a, port)))
            {
                return port;
            }
        }
    }

    private static bool IsFree(string address, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(address), port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
