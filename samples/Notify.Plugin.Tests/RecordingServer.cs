using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Notify.Plugin.Tests;

/// <summary>One request as the server saw it.</summary>
internal sealed record SeenRequest(string Method, string PathAndQuery, string? IdempotencyKey, string? ContentType, string Body);

/// <summary>
/// A Kestrel server on 127.0.0.1 and a port the kernel picks that records requests and answers through a
/// handler: the Slack webhook or key/value store the plugin calls. Kestrel, not HttpListener: the managed
/// HttpListener answered kept-alive requests wrongly under load. (The sample stands alone: it does not use
/// Gantry's own test fixtures.)
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public static Task<RecordingServer> StartAsync(Func<SeenRequest, (int Status, string Body)> handler) =>
        StartAsync(request => Task.FromResult(handler(request)));

    public static async Task<RecordingServer> StartAsync(Func<SeenRequest, Task<(int Status, string Body)>> handler)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        RecordingServer? server = null; // set before anyone knows the port, so before the first request
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var seen = new SeenRequest(
                context.Request.Method,
                context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
                context.Request.Headers.TryGetValue("Idempotency-Key", out var key) ? key.ToString() : null,
                context.Request.ContentType,
                await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false));
            server!.Requests.Enqueue(seen);
            var (status, body) = await handler(seen).ConfigureAwait(false);
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        server = new RecordingServer(app, new Uri(app.Urls.Single()).Port);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
