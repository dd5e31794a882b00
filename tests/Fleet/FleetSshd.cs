using System.Diagnostics;
using System.Text;

namespace Gantry.Testing.Fleet;

/// <summary>
/// One real OpenSSH server (<c>sshd -D -e</c>, a child process) listening on every host's loopback
/// address, with its own host key pinned in a known_hosts file and a client key for Gantry.
/// </summary>
internal sealed class FleetSshd : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    private FleetSshd(string folder)
    {
        Folder = folder;
    }

    public string Folder { get; }

    public int Port { get; private set; }

    public string KnownHostsPath => Path.Combine(Folder, "known_hosts");

    public string ClientKeyPath => Path.Combine(Folder, "client_key");

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
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private async Task StartAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var hostKey = Path.Combine(Folder, "ssh_host_ed25519_key");
        foreach (var key in new[] { hostKey, ClientKeyPath })
        {
            await FleetCommand.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "gantry-e2e", "-f", key], cancellationToken: cancellationToken);
        }

        var fields = (await File.ReadAllTextAsync(hostKey + ".pub", cancellationToken)).Trim().Split(' ');
        File.Copy(ClientKeyPath + ".pub", Path.Combine(Folder, "authorized_keys"));
        Port = FleetCommand.FreePort(addresses[0]);
        await File.WriteAllLinesAsync(KnownHostsPath, addresses.Select(a => $"[{a}]:{Port} {fields[0]} {fields[1]}"), cancellationToken);

        var config = Path.Combine(Folder, "sshd_config");
        await File.WriteAllLinesAsync(config, addresses.Select(a => $"ListenAddress {a}:{Port}").Concat(
        [
            $"HostKey {hostKey}",
            $"PidFile {Path.Combine(Folder, "sshd.pid")}",
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
        ]), cancellationToken);

        _process = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
        };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        foreach (var address in addresses)
        {
            await FleetCommand.WaitForPortAsync(
                address,
                Port,
                () => _process.HasExited ? $"sshd exited with {_process.ExitCode}:\n{Log}" : null,
                TimeSpan.FromSeconds(15),
                cancellationToken);
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
