using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// One runtime API connection in interactive <c>prompt</c> mode: every reply ends with a
/// <c>"\n&gt; "</c> prompt, so several commands share the connection. Not thread-safe; after any
/// failure the session is closed, because the position in the reply stream is unknown.
/// </summary>
internal sealed class HAProxySession : IHAProxyCommandChannel, IAsyncDisposable
{
    private const string Prompt = "\n> ";
    private readonly HAProxyRuntimeClient _client;
    private readonly Socket _socket;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private bool _closed;

    private HAProxySession(HAProxyRuntimeClient client, Socket socket)
    {
        _client = client;
        _socket = socket;
    }

    public HAProxyAddress Address => _client.Address;

    public static async Task<HAProxySession> OpenAsync(HAProxyRuntimeClient client, CancellationToken cancellationToken)
    {
        return await HAProxySocket.GuardAsync(client.Address, "prompt", client.Timeout, client.TimeProvider, async token =>
        {
            var socket = await HAProxySocket.ConnectAsync(client.Address, token).ConfigureAwait(false);
            var session = new HAProxySession(client, socket);
            try
            {
                await session.RoundTripAsync("prompt", token).ConfigureAwait(false);
                return session;
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> ExecuteAsync(string command, string? target, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        string reply;
        try
        {
            reply = await HAProxySocket.GuardAsync(Address, command, _client.Timeout, _client.TimeProvider,
                token => RoundTripAsync(command, token), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // After a timeout or a broken connection the position in the reply stream is unknown.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }

        reply = HAProxyReply.Clean(reply);
        HAProxyReply.ThrowIfError(Address, command, target, reply);
        return reply;
    }

    public ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return ValueTask.CompletedTask;
        }

        _closed = true;
        try
        {
            // "quit" lets HAProxy close its side cleanly; losing it is harmless.
            _socket.Send("quit\n"u8, SocketFlags.None, out _);
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> RoundTripAsync(string command, CancellationToken cancellationToken)
    {
        await _socket.SendAsync(HAProxyRuntimeClient.CommandLine(command), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var reply = new StringBuilder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(_buffer.Length)];
        while (!EndsWithPrompt(reply))
        {
            var read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new LoadBalancerException($"HAProxy at {Address} closed the session while answering \"{command}\"");
            }

            var count = _decoder.GetChars(_buffer, 0, read, chars, 0);
            reply.Append(chars, 0, count);
        }

        return reply.ToString(0, reply.Length - 2);
    }

    private static bool EndsWithPrompt(StringBuilder reply) =>
        reply.Length >= Prompt.Length && reply.ToString(reply.Length - Prompt.Length, Prompt.Length) == Prompt;
}
