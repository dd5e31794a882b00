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

    private TokenStore Store => new(Path.Combine(_server.DataDirectory, TokenStore.FileName));

    private HttpClient ClientWith(string token)
    {
        var client = _server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task DeleteToken_AsAdmin_RefusesItFromTheNextRequest()
    {
        var token = Store.Create("ci-bot", TokenRole.Operator, TimeProvider.System);
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
        Store.Create("keeper", TokenRole.Viewer, TimeProvider.System);
        using var client = _server.Client(role);

        using var response = await client.DeleteAsync("/api/tokens/keeper");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(Store.List(), t => t.Name == "keeper");
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        var created = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(91));
        var token = Store.Create("quarterly", TokenRole.Admin, created, TimeSpan.FromDays(90));
        using var client = ClientWith(token);

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void Find_TokenWithLifetime_WorksUntilItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new TokenStore(Path.Combine(_server.DataDirectory, "expiry-tokens.json"), time);
        var token = store.Create("ninety", TokenRole.Viewer, time, TimeSpan.FromDays(90));

        var fresh = store.Find(token);
        time.Advance(TimeSpan.FromDays(90));

        Assert.Equal("ninety", fresh?.Name);
        Assert.Null(store.Find(token));
    }

    [Fact]
    public async Task DataFiles_AreReadableByTheirOwnerOnly()
    {
        await _server.StartRunAsync("trivial", new { });

        foreach (var file in new[] { TokenStore.FileName, "gantry.db", "gantry.db-wal", "gantry.db-shm" })
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
    public void FirstAdminToken_GoesToAnOwnerOnlyFileAndWorks()
    {
        var data = Directory.CreateTempSubdirectory("gantry-first-").FullName;
        try
        {
            var store = new TokenStore(Path.Combine(data, TokenStore.FileName));

            var file = FirstAdminToken.CreateIfNoTokens(store, data, TimeProvider.System);
            var second = FirstAdminToken.CreateIfNoTokens(store, data, TimeProvider.System);

            Assert.Equal(Path.Combine(data, FirstAdminToken.FileName), file);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file!));
            Assert.Equal((FirstAdminToken.Name, TokenRole.Admin), store.Find(File.ReadAllText(file!).Trim()) is { } entry ? (entry.Name, entry.Role) : default);
            Assert.Null(second);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
