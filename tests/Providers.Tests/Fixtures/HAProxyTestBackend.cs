using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// A tiny HTTP/1.1 server on a loopback port standing in for one web node. Answers every request
/// with its name; <c>/slow?ms=N</c> answers after N milliseconds. Stopping it makes the port refuse
/// connections (HAProxy's check then reports L4CON) while requests already accepted still finish.
/// </summary>
public sealed class HAProxyTestBackend : IAsyncDisposable
{
    private readonly object _gate = new();
    private TcpListener? _listener;
    private int _served;

    public HAProxyTestBackend(string name, int port)
    {
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _listener is not null;
            }
        }
    }

    /// <summary>Requests served other than health checks.</summary>
    public int Served => Volatile.Read(ref _served);

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start(64);
            _listener = listener;
            _ = AcceptLoopAsync(listener);
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var path = await ReadRequestPathAsync(stream);
            if (path is null)
            {
                return;
            }

            if (!path.StartsWith("/health", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _served);
            }

            if (path.StartsWith("/slow", StringComparison.Ordinal))
            {
                var ms = int.Parse(path[(path.IndexOf("ms=", StringComparison.Ordinal) + 3)..]);
                await Task.Delay(ms);
            }

            var body = Encoding.ASCII.GetBytes(Name);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string?> ReadRequestPathAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                return null;
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                return requestLine.Length > 1 ? requestLine[1] : "/";
            }
        }

        return null;
    }
}
