using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Server;

/// <summary>
/// A real <c>gantry serve</c> (<c>dotnet gantry.dll serve</c>) as a child process in a workspace,
/// on a free loopback port, with its own SQLite store in a temp folder. Its first start prints an
/// admin token, which the tests use. Stopped by its PID.
/// </summary>
internal sealed partial class GantryServerProcess : IAsyncDisposable
{
    public const string WebhookSecret = "e2e-webhook-secret";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private GantryServerProcess(Process process, Uri baseAddress, string dataFolder)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataFolder = dataFolder;
    }

    public Uri BaseAddress { get; }

    public string DataFolder { get; }

    public string Token { get; private set; } = "";

    /// <summary>Everything it printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<GantryServerProcess> StartAsync(string workspace)
    {
        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("gantry-e2e-data-").FullName;
        var start = new ProcessStartInfo("dotnet", [GantryDll, "serve", "--urls", $"http://127.0.0.1:{port}", "--db", Path.Combine(data, "gantry.db")])
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("GANTRY_DB");
        start.Environment["GANTRY_GITHUB_WEBHOOK_SECRET"] = WebhookSecret;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "400";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__LogLevel__Microsoft"] = "Warning";
        var process = new Process { StartInfo = start };
        var server = new GantryServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), data);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client on the server with the admin token.</summary>
    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"gantry serve exited with {_process.ExitCode}:\n{Output}");
                }

                // The first admin token is never printed: the server names the 0600 file that holds it.
                if (Token.Length == 0 && AdminTokenFile().Match(Output) is { Success: true } match && File.Exists(match.Groups["file"].Value))
                {
                    Token = (await File.ReadAllTextAsync(match.Groups["file"].Value)).Trim();
                }

                return Token.Length > 0 && await IsReadyAsync(client);
            },
            () => Task.FromResult($"gantry serve is ready:\n{Output}"),
            timeout,
            every: TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Whether /readyz answers 200; a server not listening yet is not ready.</summary>
    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The CLI built next to these tests (the project reference copies it here).</summary>
    private static string GantryDll { get; } = File.Exists(Path.Combine(AppContext.BaseDirectory, "gantry.runtimeconfig.json"))
        ? Path.Combine(AppContext.BaseDirectory, "gantry.dll")
        : throw new FileNotFoundException($"gantry.dll and gantry.runtimeconfig.json were not found in {AppContext.BaseDirectory}");

    [GeneratedRegex(@"its value is in\s+(?<file>\S+)")]
    private static partial Regex AdminTokenFile();
}
