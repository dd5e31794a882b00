using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// rolling-deploy as users start it, in processes of the built <c>gantry</c>: <c>gantry run</c> (a new process
/// per rollout: start-up, store, definition import included, timed from launch to exit) and a warm
/// <c>gantry serve</c> (started once with one warm-up rollout; each rollout is <c>POST /api/workflows/…/runs</c>
/// until <c>GET /api/runs/{run}</c> says it finished). Both use the fleet workspace's SQLite store.
/// </summary>
internal sealed class GantryProcessRollout : IAsyncDisposable
{
    private readonly RealFleet _fleet;
    private readonly string _gantry;
    private Process? _serve;
    private HttpClient? _http;
    private string? _serveLog;

    public GantryProcessRollout(RealFleet fleet, string gantry)
    {
        _fleet = fleet;
        _gantry = gantry;
    }

    /// <summary>The built CLI: <c>--gantry PATH</c> (a published apphost or a .dll), else the Release build of src/Cli.</summary>
    public static string DefaultGantry() =>
        Path.Combine(FleetCommand.RepositoryRoot(), "src", "Cli", "bin", "Release", "net10.0", "gantry.dll");

    /// <summary>One <c>gantry run rolling-deploy --env ENV --input ref=stable</c>; returns its wall time, launch to exit.</summary>
    public async Task<TimeSpan> RunCliAsync()
    {
        var clock = Stopwatch.StartNew();
        await GantryAsync(_fleet.WorkspaceDirectory, "run", "rolling-deploy", "--env", _fleet.EnvironmentId, "--input", "ref=stable");
        return clock.Elapsed;
    }

    /// <summary>Starts <c>gantry serve</c> on a free loopback port with an operator token; returns when it answers.</summary>
    public async Task StartServeAsync()
    {
        var token = (await GantryAsync(_fleet.WorkspaceDirectory, "tokens", "create", "--role", "operator", "--name", $"bench-{Guid.NewGuid():N}"))
            .Split('\n')[0].Trim();
        var url = $"http://127.0.0.1:{FleetCommand.FreePort("127.0.0.1")}";
        _serveLog = Path.Combine(_fleet.Root, "serve.log");
        var start = Start("serve", "--urls", url);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        _serve = Process.Start(start)!;
        var log = File.CreateText(_serveLog);
        log.AutoFlush = true;
        _serve.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        _serve.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        _serve.BeginOutputReadLine();
        _serve.BeginErrorReadLine();
        _http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var port = new Uri(url).Port;
        await FleetCommand.WaitForPortAsync("127.0.0.1", port, () => _serve.HasExited ? $"gantry serve exited {_serve.ExitCode}, see {_serveLog}" : null, TimeSpan.FromSeconds(120), CancellationToken.None);
    }

    /// <summary>One rollout through the warm server; returns the time from the POST to the run's end as the client sees it.</summary>
    public async Task<(TimeSpan Wall, string RunId)> RunServeAsync()
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http!.PostAsJsonAsync("/api/workflows/rolling-deploy/runs", new { environment = _fleet.EnvironmentId, inputs = new { @ref = "stable" } });
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"POST rolling-deploy answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var location = response.Headers.Location!.ToString();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            using var shown = JsonDocument.Parse(await _http!.GetStringAsync(location));
            var status = shown.RootElement.GetProperty("run").GetProperty("status").GetString();
            if (status is "succeeded")
            {
                return (clock.Elapsed, location[(location.LastIndexOf('/') + 1)..]);
            }

            if (status is "failed" or "cancelled" or "superseded" || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"rolling-deploy through gantry serve: {status} ({shown.RootElement.GetProperty("run")})");
            }

            // The poll's own granularity: 20 ms against rollouts of seconds.
            await Task.Delay(20);
        }
    }

    private async Task<string> GantryAsync(string workingDirectory, params string[] args)
    {
        var start = Start(args);
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"gantry {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }

    private ProcessStartInfo Start(params string[] args)
    {
        var dll = _gantry.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(dll ? "dotnet" : _gantry) { WorkingDirectory = _fleet.WorkspaceDirectory, UseShellExecute = false };
        if (dll)
        {
            start.ArgumentList.Add(_gantry);
        }

        args.ToList().ForEach(start.ArgumentList.Add);
        return start;
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_serve is { HasExited: false })
        {
            _serve.Kill(entireProcessTree: true);
            await _serve.WaitForExitAsync();
        }

        _serve?.Dispose();
    }
}
