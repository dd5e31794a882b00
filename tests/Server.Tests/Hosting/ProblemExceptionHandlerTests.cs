using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Hosting;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Hosting;

public sealed class ProblemExceptionHandlerTests
{
    private const string Secret = "Host=db.internal;Password=hunter2";

    [Fact]
    public async Task RouteThrows_Returns500ProblemJsonWithoutStackTraceMessageOrSecret()
    {
        await using var server = await ServerFixture.StartAsync(configureServices: services =>
            services.AddSingleton<IDefinitionStore>(sp => new ListFailingStore(sp.GetRequiredService<ServerContext>().Stores.Definitions)));
        using var client = server.Client(TokenRole.Viewer);

        using var response = await client.GetAsync("/api/definitions");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["type", "title", "status", "detail", "traceId"], problem.EnumerateObject().Select(p => p.Name));
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.Equal("Internal server error", problem.GetProperty("title").GetString());
        Assert.Equal("The server failed to handle the request; the error is in the server's log.", problem.GetProperty("detail").GetString());
    }

    /// <summary>The real store, except that listing fails the way an unreachable database would, naming its connection string.</summary>
    private sealed class ListFailingStore(IDefinitionStore inner) : IDefinitionStore
    {
        public Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"cannot reach {Secret}");

        public Task<DefinitionVersion> SaveAsync(string id, string text, string? author, string? comment, CancellationToken cancellationToken) =>
            inner.SaveAsync(id, text, author, comment, cancellationToken);

        public Task<DefinitionVersion> UpdateDraftAsync(string id, int version, string text, string? author, string? comment, CancellationToken cancellationToken) =>
            inner.UpdateDraftAsync(id, version, text, author, comment, cancellationToken);

        public Task<DefinitionVersion> PublishAsync(string id, int version, CancellationToken cancellationToken) => inner.PublishAsync(id, version, cancellationToken);

        public Task<DefinitionVersion?> GetAsync(string id, int? version, bool fallBackToDraft, CancellationToken cancellationToken) =>
            inner.GetAsync(id, version, fallBackToDraft, cancellationToken);

        public Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(string id, CancellationToken cancellationToken) => inner.VersionsAsync(id, cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);
    }
}
