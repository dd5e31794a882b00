using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.Tests.Builtins;

/// <summary>
/// A real HTTP server (HttpListener) on 127.0.0.1 and a free port that answers each request from a script:
/// the n-th request (1-based) gets <c>script(n, url)</c>. A null answer never responds until the server is disposed.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, string, (int Status, string Body)?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public ScriptedHttpServer(Func<int, string, (int Status, string Body)?> script)
    {
        _script = script;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Close alone: Stop then Close removes the listener twice, and the managed HttpListener's second removal
        // binds the port again to look it up ("Address already in use" once another test took the freed port).
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var number = Interlocked.Increment(ref _requests);
            _ = Task.Run(() => AnswerAsync(context, _script(number, context.Request.Url!.PathAndQuery)));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, (int Status, string Body)? answer)
    {
        try
        {
            if (answer is not { } reply)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client gave up (a timed-out attempt) or the server is stopping.
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
