using System.Net.Sockets;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// An HTTP/1.1 client that behaves like a browser or a proxy in front of a load balancer: one
/// keep-alive connection at a time, and a GET whose <em>reused</em> connection is closed or reset
/// before any answer is sent once more on a new connection (RFC 9112 §9.3.1). A load balancer that
/// reloads closes its idle keep-alive connections; a request already on its way meets that close,
/// and every real client recovers from it that way. A request that fails on a connection it had
/// just opened, or fails twice, is a failure: that is traffic the load balancer really lost.
/// </summary>
/// <remarks>
/// SocketsHttpHandler retries by itself only when the connection fails before the request is
/// written; a request written to a keep-alive connection the server closes at that moment (nginx's
/// old workers close their idle connections on a reload) fails with "An error occurred while
/// sending the request". No server can close that race (RFC 9112 §9.3.1), so real clients retry:
/// Chromium resends a request whose reused connection was reset, closed, aborted or answered
/// nothing (HttpNetworkTransaction::ShouldResendRequest), and so does HAProxy for an idempotent
/// request (retry-on conn-failure empty-response). This client does the same, explicitly.
/// </remarks>
public sealed class KeepAliveClient : IDisposable
{
    private readonly HttpClient _client;
    private int _connections;

    public KeepAliveClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref _connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>Requests sent again because their reused keep-alive connection closed under them.</summary>
    public int RetriedOnClosedConnection { get; private set; }

    /// <summary>Sends a GET; retries it once when its reused keep-alive connection was closed before any answer.</summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var connectionsBefore = Volatile.Read(ref _connections);
        try
        {
            return await _client.GetAsync(url, cancellationToken);
        }
        catch (HttpRequestException ex) when (IsClosedByPeer(ex) && connectionsBefore > 0 && Volatile.Read(ref _connections) == connectionsBefore)
        {
            // No new connection was opened for this request, so it went out on a connection that
            // had already carried an answer: the keep-alive race, not a lost request.
            RetriedOnClosedConnection++;
            return await _client.GetAsync(url, cancellationToken);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The connection ended under the request: closed with no answer, reset, aborted, or broken (EPIPE on the write).</summary>
    private static bool IsClosedByPeer(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ResponseEnded
        || exception.InnerException is IOException
        {
            InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }
        };
}
