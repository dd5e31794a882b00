using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Fixtures;

/// <summary>
/// A real Gantry server on a free loopback port, over a temporary workspace (the repository's
/// workflows plus the tests' own) and data folder, with one token per role.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    public const string WebhookSecret = "test-webhook-secret";

    /// <summary>The literal secret of the environment <see cref="WriteSecretiveEnvironment"/> adds.</summary>
    public const string SecretiveValue = "literal-api-token-value";

    private readonly WebApplication _app;

    private ServerFixture(WebApplication app, string workspace, Uri address, IReadOnlyDictionary<TokenRole, string> tokens)
    {
        _app = app;
        Workspace = workspace;
        Address = address;
        Tokens = tokens;
    }

    public string Workspace { get; }

    public string DataDirectory => Path.Combine(Workspace, ".gantry");

    public Uri Address { get; }

    public IReadOnlyDictionary<TokenRole, string> Tokens { get; }

    public WorkflowEngine Engine => _app.Services.GetRequiredService<WorkflowEngine>();

    /// <summary>The server's tokens, in its store.</summary>
    public TokenStore TokenStore => _app.Services.GetRequiredService<TokenStore>();

    public IRunStore Runs => _app.Services.GetRequiredService<IRunStore>();

    /// <summary>Every endpoint the server maps, as ASP.NET's routing sees them.</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Http.Endpoint> Endpoints => _app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints;

    /// <summary>Starts a server; <paramref name="configureServices"/> replaces services after the server registered its own.</summary>
    /// <remarks>
    /// <paramref name="webhookMaxAge"/> defaults to ten years: the GitHub event fixtures are captured
    /// payloads with their original dates. Tests of the replay window pass the real one.
    /// </remarks>
    public static async Task<ServerFixture> StartAsync(bool allowAnonymousRead = false, string? webhookSecret = WebhookSecret, string? workspace = null, Action<IServiceCollection>? configureServices = null, TimeSpan? webhookMaxAge = null)
    {
        workspace ??= CreateWorkspace();
        var tokens = new Dictionary<TokenRole, string>();
        await using (var stores = await Gantry.Engine.Stores.RunStoreFactory.OpenAsync(null, workspace, TimeProvider.System, CancellationToken.None))
        {
            var tokenStore = new TokenStore(stores.Tokens);
            var existing = (await tokenStore.ListAsync(CancellationToken.None)).Count;
            foreach (var role in Enum.GetValues<TokenRole>())
            {
                tokens[role] = await tokenStore.CreateAsync(role.ToString().ToLowerInvariant() + "-token" + (existing == 0 ? "" : $"-{existing}"), role, TimeProvider.System, null, CancellationToken.None);
            }
        }

        var app = await GantryServer.BuildAppAsync(new GantryServerOptions
        {
            Urls = "http://127.0.0.1:0",
            WorkspaceRoot = workspace,
            AllowAnonymousRead = allowAnonymousRead,
            GitHubWebhookSecret = webhookSecret,
            ConfigureServices = configureServices,
            WebhookMaxAge = webhookMaxAge ?? TimeSpan.FromDays(3650),
        }, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerFixture(app, workspace, new Uri(address), tokens);
    }

    /// <summary>A copy of the repository's workflows and environments, plus small workflows of the tests.</summary>
    public static string CreateWorkspace()
    {
        var workspace = Directory.CreateTempSubdirectory("gantry-server-").FullName;
        var source = Path.Combine(RepositoryRoot(), "workflows");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(workspace, "workflows", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var (name, text) in TestWorkflows.All)
        {
            File.WriteAllText(Path.Combine(workspace, "workflows", name), text);
        }

        return workspace;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Workflows.sln not found above the test folder");
    }

    /// <summary>A client with the role's token, or without any token.</summary>
    public HttpClient Client(TokenRole? role = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (role is { } r)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[r]);
        }

        return client;
    }

    /// <summary>Starts a run over HTTP and returns its id.</summary>
    public async Task<string> StartRunAsync(string workflow, object body, string? idempotencyKey = null)
    {
        using var client = Client(TokenRole.Operator);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workflows/{workflow}/runs") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Waits (bounded) until the run reaches one of the statuses.</summary>
    public Task<RunRecord> WaitForStatusAsync(string runId, params RunStatus[] statuses) =>
        Eventually.ValueAsync(
            async () => await Runs.GetRunAsync(runId, CancellationToken.None) is { } run && statuses.Contains(run.Status) ? run : null,
            async () => $"run {runId} is {string.Join(" or ", statuses)}; it is {(await Runs.GetRunAsync(runId, CancellationToken.None))?.Status.ToString() ?? "missing"}",
            TimeSpan.FromSeconds(120),
            every: TimeSpan.FromMilliseconds(50));

    /// <summary>Adds environment <c>secretive</c>: the sandbox's fleet with a literal secret, to prove values never leave the server.</summary>
    public void WriteSecretiveEnvironment()
    {
        var environments = Path.Combine(Workspace, "workflows", "environments");
        var sandbox = File.ReadAllText(Path.Combine(environments, "sandbox.yaml")).Replace("id: sandbox", "id: secretive", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(environments, "secretive.yaml"), $"{sandbox.TrimEnd()}\nsecrets:\n  api_token: {{ value: {SecretiveValue} }}\n");
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    /// <summary>Stops the server and leaves its workspace and data folder for a restart.</summary>
    public async Task StopKeepingWorkspaceAsync()
    {
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Engine.WhenIdleAsync(idle.Token);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopKeepingWorkspaceAsync();
        Directory.Delete(Workspace, recursive: true);
    }
}
