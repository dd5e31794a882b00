using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gantry.Cli.Tests.Samples;

namespace Gantry.Cli.Tests.Install;

/// <summary>
/// The install path of the README: pack the CLI as a .NET tool into a local feed, install it from
/// there into a tool folder, and run the installed <c>gantry</c> as a deploy host would.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("gantry-tool-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task InstalledTool_PrintsVersionWithCommit_AndServesTheDesigner()
    {
        var root = TempWorkspace.RepositoryRoot();
        var feed = Path.Combine(_temp, "feed");
        var tools = Path.Combine(_temp, "tools");
        // A version of its own, so that no package cached by an earlier run stands in for this build.
        var version = $"0.1.0-t{Guid.NewGuid():N}";
        var cached = ProviderTemplateTests.CachedPackageFolder("gantry.cli", version);
        try
        {
            await ProviderTemplateTests.DotnetAsync(root, "pack", Path.Combine(root, "src", "Cli", "Cli.csproj"), "-c", ProviderTemplateTests.Configuration(), "--no-build", "--nologo", "-o", feed, $"-p:PackageVersion={version}");
            using (var package = ZipFile.OpenRead(Path.Combine(feed, $"Gantry.Cli.{version}.nupkg")))
            {
                var entries = package.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("tools/net10.0/any/gantry.dll", entries);
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
                Assert.Contains("tools/net10.0/any/wwwroot/index.html", entries);
                Assert.Contains(entries, e => e.StartsWith("tools/net10.0/any/wwwroot/assets/", StringComparison.Ordinal) && e.EndsWith(".js", StringComparison.Ordinal));
            }

            await ProviderTemplateTests.DotnetAsync(_temp, "tool", "install", "Gantry.Cli", "--tool-path", tools, "--add-source", feed, "--version", version);
            var gantry = Path.Combine(tools, "gantry");

            var (exit, output) = await RunToEndAsync(gantry, _temp, "--version");
            Assert.Equal(0, exit);
            var match = System.Text.RegularExpressions.Regex.Match(output.Trim(), @"^0\.1\.0 \(commit ([0-9a-f]{12})\)$");
            Assert.True(match.Success, $"gantry --version printed: {output}");
            // The stamped commit is one of this repository's (HEAD may have moved on since the build).
            Assert.Equal(0, (await RunToEndAsync("git", root, "cat-file", "-e", $"{match.Groups[1].Value}^{{commit}}")).ExitCode);

            await AssertServesDesignerAsync(gantry);
        }
        finally
        {
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }

    /// <summary>gantry serve from the tool folder, in a fresh workspace, until GET / answers with the designer's page.</summary>
    private async Task AssertServesDesignerAsync(string gantry)
    {
        var workspace = Directory.CreateDirectory(Path.Combine(_temp, "workspace")).FullName;
        Directory.CreateDirectory(Path.Combine(workspace, "workflows"));
        var url = $"http://127.0.0.1:{FreePort()}";
        using var serve = Process.Start(Start(gantry, workspace, "serve", "--urls", url))!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        serve.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        serve.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            string? page = null;
            while (page is null)
            {
                Assert.False(serve.HasExited, $"gantry serve exited {(serve.HasExited ? serve.ExitCode : 0)}:\n{string.Join('\n', log)}");
                Assert.True(DateTime.UtcNow < deadline, $"gantry serve did not answer GET / within 60 s:\n{string.Join('\n', log)}");
                try
                {
                    using var response = await http.GetAsync(url + "/");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    page = await response.Content.ReadAsStringAsync();
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100); // not listening yet: poll again until the deadline
                }
            }

            Assert.Contains("<title>Gantry designer</title>", page);
            Assert.Contains("<div id=\"root\"", page);
            var script = System.Text.RegularExpressions.Regex.Match(page, "<script type=\"module\"[^>]* src=\"\\.?(/assets/[^\"]+\\.js)\"");
            Assert.True(script.Success, $"no module script in the page:\n{page}");
            using var asset = await http.GetAsync(url + script.Groups[1].Value);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(string file, string workingDirectory, params string[] args)
    {
        using var process = Process.Start(Start(file, workingDirectory, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo Start(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The installed shim finds the runtime through DOTNET_ROOT when dotnet is not in its default place.
        start.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("GANTRY_DB");
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
