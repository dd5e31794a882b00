using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// A real HAProxy (Debian package <c>haproxy</c>) in the foreground as a child process, with its own
/// config in a temp folder: admin and user-level unix sockets, an admin TCP socket, a frontend and
/// backend <c>web</c> with servers <c>web1..web4</c> on in-process HTTP backends. Loopback only;
/// stopped by its PID on dispose.
/// </summary>
public sealed class HAProxyFixture : IAsyncLifetime
{
    public const string BackendName = "web";
    private readonly StringBuilder _log = new();
    private Process? _process;

    public HAProxyFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "gantry-haproxy-" + Guid.NewGuid().ToString("N")[..8]);
        Backends = Enumerable.Range(1, 4).Select(i => new HAProxyTestBackend($"web{i}", FreePort())).ToList();
        TcpAdminPort = FreePort();
        FrontendPort = FreePort();
    }

    public string Folder { get; }

    public string AdminSocketPath => Path.Combine(Folder, "admin.sock");

    public string UserSocketPath => Path.Combine(Folder, "user.sock");

    public string AdminAddress => "unix://" + AdminSocketPath;

    public string UserAddress => "unix://" + UserSocketPath;

    public int TcpAdminPort { get; }

    public string TcpAdminAddress => $"tcp://127.0.0.1:{TcpAdminPort}";

    public int FrontendPort { get; }

    public Uri FrontendUri => new($"http://127.0.0.1:{FrontendPort}/");

    public IReadOnlyList<HAProxyTestBackend> Backends { get; }

    public string ConfigPath => Path.Combine(Folder, "haproxy.cfg");

    public HAProxyTestBackend Backend(string name) => Backends.Single(b => b.Name == name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        foreach (var backend in Backends)
        {
            backend.Start();
        }

        await File.WriteAllTextAsync(ConfigPath, Config());
        var start = new ProcessStartInfo(FindHAProxy(), ["-f", ConfigPath, "-db"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start");
        _process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        _process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAllUpAsync(TimeSpan.FromSeconds(15));
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        foreach (var backend in Backends)
        {
            await backend.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Puts every server back to ready with weight 1, restarts stopped backends, waits until all are up.</summary>
    public async Task ResetAsync()
    {
        foreach (var backend in Backends)
        {
            backend.Start();
            await RawCommandAsync($"set server {BackendName}/{backend.Name} state ready");
            await RawCommandAsync($"set weight {BackendName}/{backend.Name} 1");
        }

        await WaitUntilAllUpAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Sends one command over the admin socket without any Gantry code, like an operator using
    /// socat, and returns HAProxy's raw reply.
    /// </summary>
    public async Task<string> RawCommandAsync(string command, string? socketPath = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath ?? AdminSocketPath));
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Status column of every server, e.g. <c>web1=UP</c>, for assertions.</summary>
    public Task<IReadOnlyDictionary<string, string>> RawStatusesAsync() => RawStatAsync("status");

    /// <summary>One <c>show stat</c> column of every server, read without Gantry code.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RawStatAsync(string column)
    {
        var csv = await RawCommandAsync($"show stat {BackendName} 4 -1");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0][2..].Split(',');
        var name = Array.IndexOf(header, "svname");
        var status = Array.IndexOf(header, column);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[name], c => c[status]);
    }

    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private async Task WaitUntilAllUpAsync(TimeSpan timeout)
    {
        var last = "(socket not ready)";
        await Eventually.TrueAsync(
            async () =>
            {
                if (_process is { HasExited: true })
                {
                    throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}:\n{Log()}");
                }

                try
                {
                    var statuses = await RawStatusesAsync();
                    last = string.Join(", ", statuses.Select(s => $"{s.Key}={s.Value}"));
                    return statuses.Count == Backends.Count && statuses.Values.All(s => s == "UP");
                }
                catch (SocketException)
                {
                    return false; // the admin socket is not there yet
                }
            },
            () => Task.FromResult($"haproxy's servers are all UP: {last}\n{Log()}"),
            timeout,
            every: TimeSpan.FromMilliseconds(50));
    }

    private string Config()
    {
        var servers = string.Join("\n", Backends.Select(b =>
            $"    server {b.Name} 127.0.0.1:{b.Port} check inter 100ms fall 1 rise 1"));
        return $"""
            global
                stats socket {AdminSocketPath} mode 600 level admin
                stats socket {UserSocketPath} mode 600 level user
                stats socket ipv4@127.0.0.1:{TcpAdminPort} level admin
                stats timeout 1m

            defaults
                mode http
                timeout connect 1s
                timeout client 10s
                timeout server 10s
                # Checks run every 100 ms, but on a busy test machine a reply may take longer than that
                # (the check timeout defaults to the interval); a late reply is not a dead server.
                timeout check 2s
                # As an operator would: a request whose connect fails is retried, on another server.
                retries 3
                option redispatch

            frontend fe
                bind 127.0.0.1:{FrontendPort}
                default_backend {BackendName}

            backend {BackendName}
                balance roundrobin
                option httpchk GET /health
            {servers}

            """;
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string FindHAProxy()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, "haproxy"))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            "haproxy not found on PATH or in /usr/sbin; install the Debian package \"haproxy\" (apt-get install haproxy)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class HAProxyCollection : ICollectionFixture<HAProxyFixture>
{
    public const string Name = "HAProxy";
}
