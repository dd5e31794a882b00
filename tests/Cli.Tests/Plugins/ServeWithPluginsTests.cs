using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gantry.Cli.Tests.Durable;
using Gantry.Server.Security;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Plugins;

/// <summary>
/// A real <c>gantry serve</c> process (<c>dotnet gantry.dll</c>) over a temp workspace whose plugins
/// folder holds the two sample plugins and a broken one; a workflow using the plugins runs over HTTP.
/// </summary>
public sealed class ServeWithPluginsTests : IDisposable
{
    private const string Workflow = """
        id: team-flag
        inputs:
          kv: { type: string }
          version: { type: string }
        steps:
          - id: notify-json
            uses: notify.json-version
          - id: conflict-json
            uses: conflict.json-version
          - id: flag
            uses: kv.set
            with: { url: "{{ inputs.kv }}", key: opensky/version, value: "{{ inputs.version }}" }
        """;

    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Serve_PluginsFolderWithABrokenPlugin_ReportsItAndRunsAWorkflowOfBothPluginsOverHttp()
    {
        _workspace.Write("workflows/team-flag.yaml", Workflow + "\n");
        var plugins = Path.Combine(_workspace.Root, "plugins");
        CopyBuiltPlugin("Notify.Plugin", plugins);
        CopyBuiltPlugin("Conflict.Plugin", plugins);
        var broken = Path.Combine(plugins, "Broken.Plugin", "Broken.Plugin.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        await File.WriteAllTextAsync(broken, "not an assembly");
        string token;
        await using (var stores = await Gantry.Engine.Stores.RunStoreFactory.OpenAsync(null, _workspace.Root, TimeProvider.System, CancellationToken.None))
        {
            token = await new TokenStore(stores.Tokens).CreateAsync("test-admin", TokenRole.Admin, TimeProvider.System, null, CancellationToken.None);
        }

        // A Consul-style key/value store: GET answers 404 (no key yet), PUT 200.
        await using var kv = await FakeHttpServer.StartAsync(r => (r.Method == "GET" ? 404 : 200, ""));
        var port = FreePort();

        using var serve = GantryProcess.Start(_workspace.Root, "30s", "serve", "--urls", $"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await WaitUntilServingAsync(serve, client);

        var pluginReport = JsonDocument.Parse(await client.GetStringAsync("/api/plugins")).RootElement;
        var failure = Assert.Single(pluginReport.GetProperty("failures").EnumerateArray());
        var reason = $"not a .NET assembly (bad image): Bad IL format. The format of the file '{broken}' is invalid.";
        Assert.Equal((broken, reason), (failure.GetProperty("path").GetString(), failure.GetProperty("reason").GetString()));
        Assert.Equal(["Conflict.Plugin", "Notify.Plugin"], pluginReport.GetProperty("loaded").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Contains(serve.Output, line => line.EndsWith($"Plugin failed to load: {broken}: {reason}", StringComparison.Ordinal));

        var activities = JsonDocument.Parse(await client.GetStringAsync("/api/activities")).RootElement.EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        var kvSet = activities["kv.set"];
        Assert.Equal("plugin Notify.Plugin", kvSet.GetProperty("source").GetString());
        Assert.Equal(["url", "key", "value"], kvSet.GetProperty("inputs").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Base URL of the Consul-style store, e.g. http://127.0.0.1:8500.", kvSet.GetProperty("inputs").GetProperty("properties").GetProperty("url").GetProperty("description").GetString());
        Assert.Equal(["changed", "previous"], kvSet.GetProperty("outputs").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("plugin Conflict.Plugin", activities["conflict.json-version"].GetProperty("source").GetString());
        Assert.Equal("Gantry.Providers", activities["lb.flip"].GetProperty("source").GetString());

        using var start = await client.PostAsync("/api/workflows/team-flag/runs", JsonContent.Create(new { inputs = new { kv = kv.BaseUrl, version = "3.0.1" } }));
        var startText = await start.Content.ReadAsStringAsync();
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, startText);
        var runId = JsonDocument.Parse(startText).RootElement.GetProperty("id").GetString()!;
        var detail = await WaitForEndAsync(client, runId);

        Assert.Equal("succeeded", detail.GetProperty("run").GetProperty("status").GetString());
        var outputs = detail.GetProperty("journal").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "step.succeeded")
            .ToDictionary(e => e.GetProperty("stepId").GetString()!, e => e.GetProperty("outputs"));
        Assert.Equal("13.0.0.0", outputs["notify-json"].GetProperty("version").GetString());
        Assert.Equal("12.0.0.0", outputs["conflict-json"].GetProperty("version").GetString());
        Assert.Equal("{\"plugin\":\"conflict\"}", outputs["conflict-json"].GetProperty("sample").GetString());
        Assert.True(outputs["flag"].GetProperty("changed").GetBoolean());
        Assert.Equal(["GET /v1/kv/opensky/version?raw ", "PUT /v1/kv/opensky/version 3.0.1"], kv.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.False(serve.HasExited);
    }

    private static void CopyBuiltPlugin(string name, string plugins)
    {
        var target = Directory.CreateDirectory(Path.Combine(plugins, name)).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(PluginFolder.Built, name)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    internal static Task WaitUntilServingAsync(GantryProcess serve, HttpClient client) =>
        Eventually.TrueAsync(
            async () =>
            {
                Assert.False(serve.HasExited, "gantry serve exited:\n" + string.Join('\n', serve.Output));
                try
                {
                    using var response = await client.GetAsync("/readyz");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            },
            () => Task.FromResult("gantry serve answers /readyz:\n" + string.Join('\n', serve.Output)),
            TimeSpan.FromMinutes(3),
            every: TimeSpan.FromMilliseconds(200));

    private static async Task<JsonElement> WaitForEndAsync(HttpClient client, string runId)
    {
        var detail = default(JsonElement);
        await Eventually.TrueAsync(
            async () => (detail = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{runId}")).RootElement)
                .GetProperty("run").GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled",
            $"run {runId} ends",
            TimeSpan.FromMinutes(2),
            every: TimeSpan.FromMilliseconds(100));
        return detail;
    }
}
