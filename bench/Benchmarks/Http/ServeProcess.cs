using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gantry.Benchmarks.Http;

/// <summary>
/// A real <c>gantry serve</c> child process on a free loopback port, in a throwaway workspace, with an
/// operator token and a webhook secret. Stopped with SIGTERM (its graceful path), killed only when it
/// does not stop within a minute.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri address, string token)
    {
        _process = process;
        Address = address;
        Token = token;
    }

    public Uri Address { get; }

    public string Token { get; }

    /// <summary>CPU time the server process has used so far (user + system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Waits until the server used under 5 % of one core over half a second: after a warm-up, its
    /// background JIT (tier-1 recompiles of the hot path) has finished, so the burst meets the code a
    /// long-running server runs, not a mix of unoptimized code and compiles.
    /// </summary>
    public async Task WaitQuietAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var window = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            var before = CpuTime;
            await Task.Delay(window);
            var used = CpuTime - before;
            if (used < window * 0.05)
            {
                return;
            }

            if (deadline.Elapsed > timeout)
            {
                Console.WriteLine($"  (server still busy after {timeout.TotalSeconds:F0} s: {used.TotalMilliseconds:F0} ms CPU in the last 0.5 s)");
                return;
            }
        }
    }

    public static async Task<ServeProcess> StartAsync(string gantry, string workspace, string secretFile, string? db)
    {
        // Tokens live in the store the server uses, so the token is made in that store.
        List<string> create = ["tokens", "create", "--role", "operator", "--name", "bench"];
        if (db is not null)
        {
            create.AddRange(["--db", db]);
        }

        var token = (await RunToEndAsync(gantry, workspace, create)).Split('\n')[0].Trim();
        var port = FreePort();
        var arguments = new List<string> { "serve", "--urls", $"http://127.0.0.1:{port}", "--github-webhook-secret-file", secretFile };
        if (db is not null)
        {
            arguments.AddRange(["--db", db]);
        }

        var process = Process.Start(Info(gantry, workspace, arguments)) ?? throw new InvalidOperationException($"{gantry} serve did not start");
        // Drained so a full pipe never blocks the server's logging.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var serve = new ServeProcess(process, new Uri($"http://127.0.0.1:{port}"), token);
        try
        {
            await serve.WaitReadyAsync(TimeSpan.FromMinutes(2));
            return serve;
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"gantry serve (pid {_process.Id}) did not stop within a minute of SIGTERM; killing it");
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"gantry serve exited with {_process.ExitCode} before it was ready at {Address}readyz");
            }

            try
            {
                using var response = await client.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"gantry serve was not ready at {Address}readyz within {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(100);
        }
    }

    private static ProcessStartInfo Info(string gantry, string workspace, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(gantry, arguments)
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["NO_COLOR"] = "1";
        // The store is the one this harness chose: SQLite in the workspace, or --db.
        info.Environment.Remove("GANTRY_DB");
        return info;
    }

    private static async Task<string> RunToEndAsync(string gantry, string workspace, IReadOnlyList<string> arguments)
    {
        using var process = Process.Start(Info(gantry, workspace, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"gantry {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
