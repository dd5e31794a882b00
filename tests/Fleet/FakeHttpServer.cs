using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Testing.Fleet;

/// <summary>One request as a <see cref="FakeHttpServer"/> saw it.</summary>
/// <param name="Number">Its place in arrival order, from 1.</param>
/// <param name="Method">GET, PUT, …</param>
/// <param name="PathAndQuery">The path and the raw query, e.g. <c>/v1/kv/app?raw</c>.</param>
/// <param name="ContentType">The Content-Type header, null when the request had none.</param>
/// <param name="IdempotencyKey">The Idempotency-Key header, null when the request had none.</param>
/// <param name="Body">The body as UTF-8 text, empty when there was none.</param>
public sealed record FakeHttpRequest(int Number, string Method, string PathAndQuery, string? ContentType, string? IdempotencyKey, string Body);

/// <summary>The answer to one request: a status and a plain-text body.</summary>
public readonly record struct FakeHttpAnswer(int Status, string Body)
{
    public static implicit operator FakeHttpAnswer((int Status, string Body) answer) => new(answer.Status, answer.Body);
}

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 and a port the kernel picks, for the parts of Gantry that
/// call someone else's HTTP API: every request is recorded, then answered by the handler. A handler may
/// wait on its token (never answer): the token ends when the client gives up or the server is disposed.
/// Kestrel rather than HttpListener: the managed HttpListener failed CI under load (prefix
/// registration races, kept-alive responses cut short); Kestrel is what real services run on.
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeHttpRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<FakeHttpRequest, CancellationToken, Task<FakeHttpAnswer>> _handler;
    private WebApplication? _app;
    private int _count;

    private FakeHttpServer(Func<FakeHttpRequest, CancellationToken, Task<FakeHttpAnswer>> handler) => _handler = handler;

    /// <summary>The server's base URL without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>The requests received so far, in arrival order.</summary>
    public IReadOnlyList<FakeHttpRequest> Requests => [.. _requests.OrderBy(r => r.Number)];

    /// <summary>How many requests arrived so far (answered or not).</summary>
    public int RequestCount => Volatile.Read(ref _count);

    public static Task<FakeHttpServer> StartAsync(Func<FakeHttpRequest, FakeHttpAnswer> handler, CancellationToken cancellationToken = default) =>
        StartAsync((request, _) => Task.FromResult(handler(request)), cancellationToken);

    public static async Task<FakeHttpServer> StartAsync(Func<FakeHttpRequest, CancellationToken, Task<FakeHttpAnswer>> handler, CancellationToken cancellationToken = default)
    {
        var server = new FakeHttpServer(handler);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        // A request that never gets an answer is cut at dispose, not waited for.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.Run(server.AnswerAsync);
        await app.StartAsync(cancellationToken);
        server._app = app;
        var address = new Uri(app.Urls.Single());
        server.Port = address.Port;
        server.BaseUrl = $"http://127.0.0.1:{address.Port}";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var request = new FakeHttpRequest(
            Interlocked.Increment(ref _count),
            context.Request.Method,
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            context.Request.ContentType,
            context.Request.Headers.TryGetValue("Idempotency-Key", out var key) ? key.ToString() : null,
            await reader.ReadToEndAsync(context.RequestAborted));
        _requests.Enqueue(request);
        using var token = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        FakeHttpAnswer answer;
        try
        {
            answer = await _handler(request, token.Token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            context.Abort(); // the client went away or the server stops: there is no one to answer
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }
}
