using System.Net.Sockets;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Connects to the runtime API and maps socket failures and timeouts to messages that name the address.</summary>
internal static class HAProxySocket
{
    public static async Task<Socket> ConnectAsync(HAProxyAddress address, CancellationToken cancellationToken)
    {
        var socket = address.IsUnix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(address.EndPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> within <paramref name="timeout"/>. A timeout is reported as
    /// such; the caller's own cancellation is left as an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<T> GuardAsync<T>(
        HAProxyAddress address,
        string command,
        TimeSpan timeout,
        TimeProvider timeProvider,
        Func<CancellationToken, Task<T>> operation,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await operation(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LoadBalancerException(
                $"HAProxy runtime API at {address} did not answer \"{command}\" within {TimeText.Format(timeout)}");
        }
        catch (SocketException e)
        {
            throw Unreachable(address, command, Reason(address, e), e);
        }
        catch (IOException e)
        {
            throw Unreachable(address, command, e.InnerException?.Message ?? e.Message, e);
        }
    }

    // .NET reports a missing unix socket file as "Cannot assign requested address", which misleads.
    private static string Reason(HAProxyAddress address, SocketException e) =>
        address.EndPoint is UnixDomainSocketEndPoint unix && !File.Exists(unix.ToString())
            ? $"no socket file at {unix} (is HAProxy running with \"stats socket {unix} level admin\"?)"
            : e.Message;

    private static LoadBalancerException Unreachable(HAProxyAddress address, string command, string reason, Exception inner) =>
        new($"cannot reach HAProxy runtime API at {address} for \"{command}\": {reason}", inner);
}
