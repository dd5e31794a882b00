using System.Net;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable.Safety;

/// <summary>
/// Tokens across two real <c>gantry serve</c> processes on two machines (own workspaces and data folders) sharing
/// one PostgreSQL store: a token revoked through one server is refused by the other from the first request after;
/// a token of a lower role, or of another store, gets nothing on either.
/// </summary>
[Collection(PostgresCliCollection.Name)]
public sealed class PostgresSharedTokensTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly List<GantryProcess> _servers = [];
    private readonly List<DurableWorkspace> _workspaces = [];
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateSchemaAsync();

    public async Task DisposeAsync()
    {
        _servers.ForEach(s => s.Dispose());
        foreach (var workspace in _workspaces)
        {
            await workspace.DisposeAsync();
        }

        await postgres.DropSchemaAsync(_db);
    }

    [Fact]
    public async Task TokenRevokedThroughServerA_IsRefusedByServerBOnTheFirstRequestAfter()
    {
        var (machineA, serverA) = await StartMachineAsync(_db);
        var (machineB, serverB) = await StartMachineAsync(_db);
        var bot = await SafetyNodes.CreateTokenAsync(machineA, "ci-bot", "operator");
        var admin = await SafetyNodes.CreateTokenAsync(machineB, "release-lead", "admin");
        using var botOnB = SafetyNodes.Client(serverB, bot);
        using var adminOnA = SafetyNodes.Client(serverA, admin);

        using var before = await botOnB.GetAsync("/api/me");
        using var revoked = await adminOnA.DeleteAsync("/api/tokens/ci-bot");
        using var after = await botOnB.GetAsync("/api/me");
        using var startAfter = await botOnB.PostAsync("/api/workflows/trivial/runs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var onA = await SafetyNodes.Client(serverA, bot).GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, startAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, onA.StatusCode);
        Assert.Empty(await machineB.Runs.ListRunsAsync(new Engine.Runtime.RunQuery { Limit = 5 }, CancellationToken.None));
        // The CLI on either machine lists what both servers check.
        var (_, listed) = await machineB.RunAsync("tokens", "list");
        Assert.Contains("release-lead", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("ci-bot", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewerToken_CannotRevokeOrStartOnEitherServer_AndATokenOfAnotherStoreIsUnknown()
    {
        var (machineA, serverA) = await StartMachineAsync(_db);
        var (_, serverB) = await StartMachineAsync(_db);
        var viewer = await SafetyNodes.CreateTokenAsync(machineA, "dashboard", "viewer");
        var admin = await SafetyNodes.CreateTokenAsync(machineA, "release-lead", "admin");
        // A real admin token, made on a workspace with its own store: it means nothing to these servers.
        await using var elsewhere = await DurableWorkspace.CreateAsync();
        var foreign = await SafetyNodes.CreateTokenAsync(elsewhere, "release-lead", "admin");
        using var viewerOnB = SafetyNodes.Client(serverB, viewer);
        using var foreignOnB = SafetyNodes.Client(serverB, foreign);

        using var revoke = await viewerOnB.DeleteAsync("/api/tokens/release-lead");
        using var start = await viewerOnB.PostAsync("/api/workflows/trivial/runs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var read = await viewerOnB.GetAsync("/api/me");
        using var foreignRevoke = await foreignOnB.DeleteAsync("/api/tokens/dashboard");
        using var foreignRead = await foreignOnB.GetAsync("/api/me");
        using var adminStill = await SafetyNodes.Client(serverA, admin).GetAsync("/api/me");
        using var viewerStill = await SafetyNodes.Client(serverA, viewer).GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreignRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreignRead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminStill.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viewerStill.StatusCode);
    }

    private async Task<(DurableWorkspace Workspace, Uri Server)> StartMachineAsync(string db)
    {
        var workspace = await DurableWorkspace.CreateAsync(db);
        _workspaces.Add(workspace);
        workspace.Write("workflows/trivial.yaml", "id: trivial\nsteps:\n  - id: hello\n    uses: log\n    with: { message: hello }\n");
        var (server, address) = await SafetyNodes.StartServerAsync(workspace);
        _servers.Add(server);
        return (workspace, address);
    }
}
