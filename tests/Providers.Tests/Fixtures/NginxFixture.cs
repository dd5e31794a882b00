using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// A real nginx (Debian package <c>nginx-light</c>) in a temporary folder of its own: its own
/// nginx.conf, pid file and logs, listening on a free loopback port and proxying upstream
/// <c>web</c> to in-process <see cref="NginxBackend"/>s. Stopped by its PID on dispose.
/// </summary>
public sealed class NginxFixture : IAsyncDisposable
{
    public const string UpstreamName = "web";

    private readonly Process _nginx;
    private readonly StringBuilder _output = new();

    private NginxFixture(string folder, int port, IReadOnlyList<NginxBackend> backends, Process nginx)
    {
        Folder = folder;
        Port = port;
        Backends = backends;
        _nginx = nginx;
    }

    public static string NginxPath { get; } = FindNginx();

    public string Folder { get; }

    public int Port { get; }

    public IReadOnlyList<NginxBackend> Backends { get; }

    public string MainConfigPath => Path.Combine(Folder, "nginx.conf");

    public string UpstreamConfigPath => Path.Combine(Folder, "upstream.conf");

    public string ErrorLogPath => Path.Combine(Folder, "error.log");

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public NginxBackend this[string name] => Backends.Single(b => b.Name == name);

    /// <summary>Starts one backend per name and nginx in front of them, all servers live.</summary>
    public static async Task<NginxFixture> StartAsync(params string[] backendNames)
    {
        var folder = Directory.CreateTempSubdirectory("gantry-nginx-").FullName;
        var backends = backendNames.Select(NginxBackend.Start).ToList();
        var port = FreePort();
        var upstream = new StringBuilder($"upstream {UpstreamName} {{\n");
        foreach (var backend in backends)
        {
            upstream.Append($"    server {backend.Address};\n");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "upstream.conf"), upstream.Append("}\n").ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log notice;
            events { worker_connections 256; }
            http {
                access_log {{folder}}/access.log;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/upstream.conf;
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://{{UpstreamName}};
                        proxy_next_upstream error timeout http_502;
                        proxy_connect_timeout 2s;
                    }
                }
            }

            """);

        var startInfo = new ProcessStartInfo(NginxPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log") })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var fixture = new NginxFixture(folder, port, backends, process);
        process.OutputDataReceived += fixture.OnOutput;
        process.ErrorDataReceived += fixture.OnOutput;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await fixture.WaitForPortAsync();
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }

        return fixture;
    }

    /// <summary>Driver options for this nginx, default commands with this nginx binary and main config.</summary>
    public NginxOptions Options(string? template = null) => new()
    {
        UpstreamName = UpstreamName,
        UpstreamConfigPath = UpstreamConfigPath,
        MainConfigPath = MainConfigPath,
        NginxPath = NginxPath,
        Servers = Backends.ToDictionary(b => b.Name, b => b.Address),
        UpstreamTemplate = template ?? NginxOptions.DefaultUpstreamTemplate,
    };

    /// <summary>How many times the nginx master has received a reload (SIGHUP), from its error log.</summary>
    public int ReloadCount => CountInErrorLog("(SIGHUP) received");

    /// <summary>
    /// Waits until the master has handled <paramref name="reloads"/> reloads: new workers started and
    /// as many old workers exited, so every new connection meets the new configuration.
    /// </summary>
    public async Task WaitForReloadsAsync(int reloads)
    {
        await Eventually.TrueAsync(
            () => Task.FromResult(ReloadCount >= reloads && CountInErrorLog("exited with code") >= reloads),
            async () => $"nginx finishes {reloads} reload(s). Error log:\n{await File.ReadAllTextAsync(ErrorLogPath)}",
            TimeSpan.FromSeconds(10),
            every: TimeSpan.FromMilliseconds(20));
    }

    /// <summary>Sends <paramref name="count"/> requests, each on a new connection, and counts answers by backend name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> SendAsync(int count)
    {
        using var client = new HttpClient();
        var answers = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url);
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var name = await response.Content.ReadAsStringAsync();
            answers[name] = answers.GetValueOrDefault(name) + 1;
        }

        return answers;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_nginx.HasExited)
        {
            // Fast shutdown by PID: the master stops its workers and exits. Without kill(1), the
            // fallback below kills the master and its workers outright.
            try
            {
                using var kill = Process.Start("kill", ["-TERM", _nginx.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _nginx.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _nginx.Kill(entireProcessTree: true);
                await _nginx.WaitForExitAsync();
            }
        }

        _nginx.Dispose();
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
            // Leftovers in /tmp are harmless.
        }
    }

    private int CountInErrorLog(string text)
    {
        if (!File.Exists(ErrorLogPath))
        {
            return 0;
        }

        using var stream = new FileStream(ErrorLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var log = reader.ReadToEnd();
        var count = 0;
        for (var i = log.IndexOf(text, StringComparison.Ordinal); i >= 0; i = log.IndexOf(text, i + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        }
    }

    private Task WaitForPortAsync() =>
        FleetCommand.WaitForPortAsync(
            "127.0.0.1",
            Port,
            () => _nginx.HasExited
                ? $"nginx exited with code {_nginx.ExitCode} before listening on {Port}.\n{_output}\n{(File.Exists(ErrorLogPath) ? File.ReadAllText(ErrorLogPath) : string.Empty)}"
                : null,
            TimeSpan.FromSeconds(10),
            CancellationToken.None);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string FindNginx()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(folder => Path.Combine(folder, "nginx"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx was not found on PATH or in /usr/sbin. Install the Debian package nginx-light (apt-get install nginx-light).");
    }
}
