using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Notify.Plugin.Tests;

/// <summary>One request as the server saw it.</summary>
internal sealed record SeenRequest(string Method, string PathAndQuery, string? IdempotencyKey, string? ContentType, string Body);

/// <summary>An HTTP server on 127.0.0.1 and a free port that records requests and answers through a handler.</summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<SeenRequest, Task<(int Status, string Body)>> _handler;
    private readonly Task _loop;

    public RecordingServer(Func<SeenRequest, Task<(int Status, string Body)>> handler)
    {
        _handler = handler;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public RecordingServer(Func<SeenRequest, (int Status, string Body)> handler)
        : this(r => Task.FromResult(handler(r)))
    {
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop then Close removes the listener twice, and the managed HttpListener's second removal
        // binds the port again to look it up ("Address already in use" once another test took the freed port).
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var seen = new SeenRequest(
            context.Request.HttpMethod,
            context.Request.Url!.PathAndQuery,
            context.Request.Headers["Idempotency-Key"],
            context.Request.ContentType,
            await reader.ReadToEndAsync().ConfigureAwait(false));
        Requests.Enqueue(seen);
        try
        {
            var (status, body) = await _handler(seen).ConfigureAwait(false);
            context.Response.StatusCode = status;
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);

            // One connection per request: the managed HttpListener sometimes answered the second request on a
            // kept-alive connection with an invalid status line (kv.set's GET then PUT failed 2 times in 40), and a
            // client pooling connections across tests could reach a later server on a reused port. Real stores keep
            // connections alive correctly; this fake only has to answer each request exactly.
            context.Response.KeepAlive = false;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away (cancelled); nothing to answer.
        }
    }
}
