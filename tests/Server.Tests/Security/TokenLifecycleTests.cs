using System.Net;
using Gantry.Server.Security;
using Gantry.Server.Tests.Apis;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Security;

/// <summary>Tokens can be revoked and can expire, effective on the next request; files holding them are 0600.</summary>
public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private TokenStore Store => _server.TokenStore;

    private static CancellationToken Ct => CancellationToken.None;

    private HttpClient ClientWith(string token)
    {
        var client = _server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task DeleteToken_AsAdmin_RefusesItFromTheNextRequest()
    {
        var token = await Store.CreateAsync("ci-bot", TokenRole.Operator, TimeProvider.System, null, Ct);
        using var bot = ClientWith(token);
        using var admin = _server.Client(TokenRole.Admin);

        using var before = await bot.GetAsync("/api/me");
        using var revoked = await admin.DeleteAsync("/api/tokens/ci-bot");
        using var after = await bot.GetAsync("/api/me");
        var missing = await RunsApiTests.ProblemAsync(await admin.DeleteAsync("/api/tokens/ci-bot"));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal((404, "no token named 'ci-bot'"), missing);
    }

    [Theory]
    [InlineData(TokenRole.Viewer)]
    [InlineData(TokenRole.Operator)]
    public async Task DeleteToken_BelowAdmin_Is403AndKeepsTheToken(TokenRole role)
    {
        await Store.CreateAsync("keeper", TokenRole.Viewer, TimeProvider.System, null, Ct);
        using var client = _server.Client(role);

        using var response = await client.DeleteAsync("/api/tokens/keeper");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(await Store.ListAsync(Ct), t => t.Name == "keeper");
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        var created = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(91));
        var token = await Store.CreateAsync("quarterly", TokenRole.Admin, created, TimeSpan.FromDays(90), Ct);
        using var client = ClientWith(token);

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Find_TokenWithLifetime_WorksUntilItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new TokenStore(new Engine.Stores.InMemoryAccessTokens(), time);
        var token = await store.CreateAsync("ninety", TokenRole.Viewer, time, TimeSpan.FromDays(90), Ct);

        var fresh = await store.FindAsync(token, Ct);
        time.Advance(TimeSpan.FromDays(90));

        Assert.Equal("ninety", fresh?.Name);
        Assert.Null(await store.FindAsync(token, Ct));
    }

    [Fact]
    public async Task DataFiles_AreReadableByTheirOwnerOnly()
    {
        await _server.StartRunAsync("trivial", new { });

        foreach (var file in new[] { "gantry.db", "gantry.db-wal", "gantry.db-shm" })
        {
            var path = Path.Combine(_server.DataDirectory, file);
            Assert.True(File.Exists(path), $"{path} missing");
            Assert.Equal((file, OwnerOnly), (file, File.GetUnixFileMode(path)));
        }

        Assert.Empty(Engine.Stores.PrivateFiles.TooOpen(Directory.EnumerateFiles(_server.DataDirectory, "gantry.db*")));
    }

    [Fact]
    public void TooOpen_NamesAFileOthersMayRead()
    {
        var path = Path.Combine(_server.DataDirectory, "loose.json");
        File.WriteAllText(path, "[]");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var open = Assert.Single(Engine.Stores.PrivateFiles.TooOpen([path]));

        Assert.Equal((path, "0644"), (open.Path, Engine.Stores.PrivateFiles.Octal(open.Mode)));
    }

    [Fact]
    public async Task FirstAdminToken_GoesToAnOwnerOnlyFileAndWorks()
    {
        var data = Directory.CreateTempSubdirectory("gantry-first-").FullName;
        try
        {
            var store = new TokenStore(new Engine.Stores.InMemoryAccessTokens());

            var file = await FirstAdminToken.CreateIfNoTokensAsync(store, data, TimeProvider.System, Ct);
            var second = await FirstAdminToken.CreateIfNoTokensAsync(store, data, TimeProvider.System, Ct);

            Assert.Equal(Path.Combine(data, FirstAdminToken.FileName), file);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file!));
            Assert.Equal((FirstAdminToken.Name, TokenRole.Admin), await store.FindAsync(File.ReadAllText(file!).Trim(), Ct) is { } entry ? (entry.Name, entry.Role) : default);
            Assert.Null(second);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
