using System.Net.Sockets;
using System.Text;

namespace Gantry.Cli.Tests.Service;

/// <summary>
/// What systemd does for a <c>Type=notify</c> unit, without systemd: a unix datagram socket in a temp
/// folder whose path goes to the service as NOTIFY_SOCKET, and every message the service sends to it.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-notify-").FullName;

    public NotifySocket()
    {
        Path = System.IO.Path.Combine(_folder, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    /// <summary>The value of NOTIFY_SOCKET.</summary>
    public string Path { get; }

    /// <summary>Every message received so far, in order.</summary>
    public List<string> Received { get; } = [];

    /// <summary>Receives messages until one holds <paramref name="assignment"/> (e.g. READY=1); fails after <paramref name="timeout"/> naming what arrived.</summary>
    public async Task<string> WaitForAsync(string assignment, TimeSpan timeout, Func<string> context)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {assignment} within {timeout.TotalSeconds:F0} s; received [{string.Join(" | ", Received)}]; service output:\n{context()}");
            }

            var message = Encoding.UTF8.GetString(buffer, 0, length);
            Received.Add(message);
            if (message.Split('\n').Contains(assignment))
            {
                return message;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
