using System.Net.Http.Headers;
using System.Text.Json;

namespace Gantry.Cli.Tests.Durable.Safety;

/// <summary>
/// What the shared-safety-state tests do with real processes: workspaces that are two machines (own data folders,
/// one store, one load balancer), <c>gantry serve</c> nodes and their HTTP API, tokens made by the CLI.
/// </summary>
internal static class SafetyNodes
{
    /// <summary>web2's restart fails and so does putting it back: a rollout leaves it in an unknown state.</summary>
    public const string BrokenWeb2 = "\nvars: { sandbox_fail_restart: [web2], sandbox_fail_rollback: [web2] }\n";

    public const string RestoreOnly = """
        id: restore-only
        steps:
          - id: restore
            uses: lb.all

        """;

    public const string ReadyWeb2 = """
        id: ready-web2
        steps:
          - id: ready
            uses: lb.ready
            with: { host: web2 }

        """;

    /// <summary>The repository's workflows and sandbox (web2 broken) and the tests' two small workflows.</summary>
    public static void WriteWorkflows(DurableWorkspace workspace)
    {
        workspace.CopyFromRepository("workflows");
        var environment = Path.Combine(workspace.Root, "workflows", "environments", "sandbox.yaml");
        File.AppendAllText(environment, BrokenWeb2);
        workspace.Write("workflows/restore-only.yaml", RestoreOnly);
        workspace.Write("workflows/ready-web2.yaml", ReadyWeb2);
    }

    /// <summary>
    /// Makes <paramref name="other"/>'s sandbox (its simulated load balancer and hosts) the one of
    /// <paramref name="first"/>, as two machines share one real load balancer; their data folders stay apart.
    /// </summary>
    public static void ShareSandbox(DurableWorkspace first, DurableWorkspace other)
    {
        var sandbox = Path.Combine(first.Root, ".gantry", "sandbox");
        Directory.CreateDirectory(sandbox);
        Directory.CreateDirectory(Path.Combine(other.Root, ".gantry"));
        Directory.CreateSymbolicLink(Path.Combine(other.Root, ".gantry", "sandbox"), sandbox);
    }

    /// <summary>The sandbox load balancer's admin state of each server, read straight from its state file.</summary>
    public static IReadOnlyDictionary<string, string> AdminStates(DurableWorkspace workspace)
    {
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace.Root, ".gantry", "sandbox", "sandbox.json")));
        return state.RootElement.GetProperty("servers").EnumerateObject().ToDictionary(s => s.Name, s => s.Value.GetProperty("admin").GetString()!);
    }

    /// <summary>Starts <c>gantry serve</c> on a free loopback port and returns it with its address once it listens.</summary>
    public static async Task<(GantryProcess Server, Uri Address)> StartServerAsync(DurableWorkspace workspace)
    {
        var server = workspace.Start("serve", "--urls", "http://127.0.0.1:0");
        string? url = null;
        await DurableWorkspace.WaitForAsync(
            () =>
            {
                url = server.Output.Select(line => line.IndexOf("Now listening on: ", StringComparison.Ordinal) is var at and >= 0 ? line[(at + "Now listening on: ".Length)..].Trim() : null).FirstOrDefault(u => u is not null);
                return Task.FromResult(url is not null || server.HasExited);
            },
            TimeSpan.FromSeconds(90),
            () => $"gantry serve to listen (it said: {string.Join(" | ", server.Output)})");
        Assert.False(server.HasExited, string.Join(" | ", server.Output));
        return (server, new Uri(url!));
    }

    /// <summary><c>gantry tokens create</c> in <paramref name="workspace"/> (on its store); returns the token printed once.</summary>
    public static async Task<string> CreateTokenAsync(DurableWorkspace workspace, string name, string role)
    {
        var (exitCode, output) = await workspace.RunAsync("tokens", "create", "--role", role, "--name", name);
        Assert.True(exitCode == 0, output);
        return output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("gantry_", StringComparison.Ordinal));
    }

    public static HttpClient Client(Uri server, string? token)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Starts <paramref name="workflow"/> on the sandbox through the server's API; returns the run id.</summary>
    public static async Task<string> StartRunAsync(HttpClient client, string workflow)
    {
        using var response = await client.PostAsync($"/api/workflows/{workflow}/runs", new StringContent("""{"environment":"sandbox"}""", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }
}
