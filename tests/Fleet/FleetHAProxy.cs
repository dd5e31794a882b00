using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Testing.Fleet;

/// <summary>
/// A real HAProxy (Debian package <c>haproxy</c>) in the foreground as a child process: the
/// runtime API on an admin-level and a user-level unix socket and an admin-level loopback TCP
/// socket, a frontend on a free loopback port and backend <c>web</c> with one server per host,
/// health-checked with <c>GET /health</c>. By default no retries (<c>retries 0</c>, no
/// <c>option redispatch</c>): a request sent to a host that is restarting fails, so only real
/// draining gives a rollout without failed requests.
/// </summary>
public sealed class FleetHAProxy : IAsyncDisposable
{
    public const string Backend = "web";
    private readonly StringBuilder _log = new();
    private readonly FleetHAProxyOptions _options;
    private Process? _process;

    private FleetHAProxy(string folder, FleetHAProxyOptions options)
    {
        Folder = folder;
        _options = options;
        FrontendPort = FleetCommand.FreePort("127.0.0.1");
        TcpAdminPort = FleetCommand.FreePort("127.0.0.1");
    }

    public string Folder { get; }

    public int FrontendPort { get; }

    public Uri FrontendUri => new($"http://127.0.0.1:{FrontendPort}/");

    public string AdminSocketPath => Path.Combine(Folder, "admin.sock");

    /// <summary>The admin-level runtime API as Gantry's <c>load_balancer.address</c> takes it.</summary>
    public string AdminAddress => "unix://" + AdminSocketPath;

    /// <summary>A user-level socket: HAProxy refuses state changes there.</summary>
    public string UserAddress => "unix://" + Path.Combine(Folder, "user.sock");

    public int TcpAdminPort { get; }

    public string TcpAdminAddress => $"tcp://127.0.0.1:{TcpAdminPort}";

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

    public static Task<FleetHAProxy> StartAsync(string folder, IReadOnlyList<FleetHost> hosts, TimeSpan checkInterval, CancellationToken cancellationToken) =>
        StartAsync(folder, [.. hosts.Select(h => new FleetHAProxyServer(h.Name, h.Address, h.Port))], new FleetHAProxyOptions { CheckInterval = checkInterval }, cancellationToken);

    public static async Task<FleetHAProxy> StartAsync(string folder, IReadOnlyList<FleetHAProxyServer> servers, FleetHAProxyOptions options, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var haproxy = new FleetHAProxy(folder, options);
        try
        {
            await haproxy.StartAsync(servers, cancellationToken);
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

    /// <summary>
    /// Sends one runtime API command over the admin socket without any Gantry code, like an operator
    /// using socat, and returns HAProxy's raw reply.
    /// </summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(AdminSocketPath), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), cancellationToken);
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    /// <summary>The status column of <c>show stat</c> for every server of the backend, e.g. <c>web1=UP</c>.</summary>
    public Task<IReadOnlyDictionary<string, string>> StatusesAsync(CancellationToken cancellationToken = default) =>
        StatAsync("status", cancellationToken);

    /// <summary>One <c>show stat</c> column (status, scur, …) for every server of the backend, read without Gantry code.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatAsync(string column, CancellationToken cancellationToken = default)
    {
        var csv = await CommandAsync($"show stat {Backend} 4 -1", cancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var name = Array.IndexOf(header, "svname");
        var value = Array.IndexOf(header, column);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[name], c => c[value], StringComparer.Ordinal);
    }

    /// <summary>Waits until HAProxy's checks report all <paramref name="servers"/> servers UP.</summary>
    public async Task WaitUntilAllUpAsync(int servers, TimeSpan timeout, CancellationToken cancellationToken = default)
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

    private async Task StartAsync(IReadOnlyList<FleetHAProxyServer> servers, CancellationToken cancellationToken)
    {
        var config = Path.Combine(Folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Config(servers), cancellationToken);
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
        await WaitUntilAllUpAsync(servers.Count, TimeSpan.FromSeconds(20), cancellationToken);
    }

    private string Config(IReadOnlyList<FleetHAProxyServer> servers)
    {
        var inter = ((int)_options.CheckInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var lines = string.Join("\n", servers.Select(s => $"    server {s.Name} {s.Address}:{s.Port} check inter {inter} fall {_options.Fall} rise 1"));
        var retries = _options.RetryElsewhere
            ? """
                # As an operator would: a request whose connect fails is retried, on another server.
                retries 3
                option redispatch
            """
            : """
                # No retry and no redispatch: a request sent to a server that is down fails at once,
                # so the load loop sees every request a rollout lets through to a restarting host.
                retries 0
            """;
        return $"""
            global
                stats socket {AdminSocketPath} mode 600 level admin
                stats socket {Path.Combine(Folder, "user.sock")} mode 600 level user
                stats socket ipv4@127.0.0.1:{TcpAdminPort} level admin
                stats timeout 1m

            defaults
                mode http
                timeout connect 1s
                timeout client 10s
                timeout server 10s
            {retries}
                # A busy test machine may answer a check later than its interval; late is not dead.
                timeout check 2s

            frontend fe
                bind 127.0.0.1:{FrontendPort}
                default_backend {Backend}

            backend {Backend}
                balance roundrobin
                option httpchk GET /health
            {lines}

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
