using System.Net;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

public sealed class MeApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(TokenRole.Viewer, """{"name":"viewer-token","role":"viewer"}""")]
    [InlineData(TokenRole.Operator, """{"name":"operator-token","role":"operator"}""")]
    [InlineData(TokenRole.Admin, """{"name":"admin-token","role":"admin"}""")]
    public async Task Me_EachRole_AnswersTokenNameAndRole(TokenRole role, string expected)
    {
        using var client = _server.Client(role);

        var body = await client.GetStringAsync("/api/me");

        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task Me_WithoutToken_Returns401()
    {
        using var client = _server.Client();

        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Me_AnonymousReadAllowed_AnswersAnonymousViewer()
    {
        await using var server = await ServerFixture.StartAsync(allowAnonymousRead: true);
        using var client = server.Client();

        var body = await client.GetStringAsync("/api/me");

        Assert.Equal("""{"name":"anonymous","role":"viewer"}""", body);
    }
}
