using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// A tiny HTTP server on a loopback port that answers every request with its own name. It can be
/// stopped and started again on the same port, as a deploy restarts a web node.
/// </summary>
public sealed class NginxBackend : IAsyncDisposable
{
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _hits;
    private int _status = 200;

    private NginxBackend(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public string Address => $"127.0.0.1:{Port}";

    public int Hits => Volatile.Read(ref _hits);

    /// <summary>The status every request is answered with (200 by default); 503 plays a release whose app is unhealthy.</summary>
    public int Status
    {
        get => Volatile.Read(ref _status);
        set => Volatile.Write(ref _status, value);
    }

    public static NginxBackend Start(string name)
    {
        var backend = new NginxBackend(name);
        backend.Listen(0);
        return backend;
    }

    /// <summary>Starts listening again on the same port after <see cref="StopAsync"/>.</summary>
    public void Restart() => Listen(Port);

    public async Task StopAsync()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        if (listener is null)
        {
            return;
        }

        listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop this way.
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(backlog: 128);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var received = new StringBuilder();
                while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                Interlocked.Increment(ref _hits);
                var status = Status;
                var body = Encoding.UTF8.GetBytes(Name);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Unavailable")}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head).ConfigureAwait(false);
                await stream.WriteAsync(body).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The proxy went away; nothing to answer.
            }
        }
    }
}
