using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Testing.Fleet;

/// <summary>
/// A real HAProxy (Debian package <c>haproxy</c>) in the foreground as a child process: an
/// admin-level runtime API on a unix socket, a frontend on a free loopback port and backend
/// <c>web</c> with one server per host, health-checked with <c>GET /health</c>. No retries
/// (<c>retries 0</c>, no <c>option redispatch</c>): a request sent to a host that is restarting
/// fails, so only real draining gives a rollout without failed requests.
/// </summary>
internal sealed class FleetHAProxy : IAsyncDisposable
{
    public const string Backend = "web";
    private readonly StringBuilder _log = new();
    private Process? _process;

    private FleetHAProxy(string folder, int frontendPort)
    {
        Folder = folder;
        FrontendPort = frontendPort;
    }

    public string Folder { get; }

    public int FrontendPort { get; }

    public string AdminSocketPath => Path.Combine(Folder, "admin.sock");

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

    public static async Task<FleetHAProxy> StartAsync(string folder, IReadOnlyList<FleetHost> hosts, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var haproxy = new FleetHAProxy(folder, FleetCommand.FreePort("127.0.0.1"));
        try
        {
            await haproxy.StartAsync(hosts, checkInterval, cancellationToken);
            return haproxy;
        }
        catch
        {
            await haproxy.DisposeAsync();
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

    /// <summary>Sends one runtime API command over the admin socket and returns HAProxy's raw reply.</summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(AdminSocketPath), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), cancellationToken);
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    /// <summary>The status column of <c>show stat</c> for every server of the backend.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatusesAsync(CancellationToken cancellationToken = default)
    {
        var csv = await CommandAsync($"show stat {Backend} 4 -1", cancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var name = Array.IndexOf(header, "svname");
        var status = Array.IndexOf(header, "status");
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[name], c => c[status], StringComparer.Ordinal);
    }

    private async Task StartAsync(IReadOnlyList<FleetHost> hosts, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        var config = Path.Combine(Folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Config(hosts, checkInterval), cancellationToken);
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(FindHAProxy(), ["-f", config, "-db"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAllUpAsync(hosts.Count, TimeSpan.FromSeconds(20), cancellationToken);
    }

    private async Task WaitUntilAllUpAsync(int servers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var last = "(socket not ready)";
        await Eventually.TrueAsync(
            async () =>
            {
                if (_process is { HasExited: true })
                {
                    throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}:\n{Log}");
                }

                try
                {
                    var statuses = await StatusesAsync(cancellationToken);
                    last = string.Join(", ", statuses.Select(s => $"{s.Key}={s.Value}"));
                    return statuses.Count == servers && statuses.Values.All(s => s == "UP");
                }
                catch (SocketException)
                {
                    return false; // the admin socket is not there yet
                }
            },
            () => Task.FromResult($"haproxy's servers are all UP: {last}\n{Log}"),
            timeout,
            every: TimeSpan.FromMilliseconds(50));
    }

    private string Config(IReadOnlyList<FleetHost> hosts, TimeSpan checkInterval)
    {
        var inter = ((int)checkInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var servers = string.Join("\n", hosts.Select(h => $"    server {h.Name} {h.Address}:{h.Port} check inter {inter} fall 2 rise 1"));
        return $"""
            global
                stats socket {AdminSocketPath} mode 600 level admin
                stats timeout 1m

            defaults
                mode http
                timeout connect 1s
                timeout client 10s
                timeout server 10s
                # No retry and no redispatch: a request sent to a server that is down fails at once,
                # so the load loop sees every request a rollout lets through to a restarting host.
                retries 0
                # A busy test machine may answer a check later than its interval; late is not dead.
                timeout check 2s

            frontend fe
                bind 127.0.0.1:{FrontendPort}
                default_backend {Backend}

            backend {Backend}
                balance roundrobin
                option httpchk GET /health
            {servers}

            """;
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

    private static string FindHAProxy() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, "haproxy"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("haproxy not found on PATH or in /usr/sbin; install the Debian package \"haproxy\"");
}
