using System.Net;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>The interactive API reference page, public like the OpenAPI document it renders.</summary>
public sealed class ApiReferenceTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Scalar_WithoutAToken_ServesHtmlThatLoadsTheOpenApiDocument()
    {
        using var client = _server.Client();

        using var response = await client.GetAsync("/scalar");
        var html = await response.Content.ReadAsStringAsync();
        using var document = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Gantry API</title>", html);
        // Scalar writes the document's route relative to the site root.
        Assert.Contains("""{"title":"v1","url":"openapi/v1.json"}""", html);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }
}
