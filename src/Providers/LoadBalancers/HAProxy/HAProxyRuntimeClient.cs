using System.Net.Sockets;
using System.Text;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// HAProxy's runtime API over a unix or TCP socket. <see cref="ExecuteAsync"/> uses one connection per
/// command, as HAProxy's non-interactive mode expects; <see cref="OpenSessionAsync"/> keeps one
/// connection open in interactive <c>prompt</c> mode for several commands.
/// </summary>
internal sealed class HAProxyRuntimeClient : IHAProxyCommandChannel
{
    /// <summary>The default time a connect plus one command may take.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <param name="address"><c>unix:///path/admin.sock</c> or <c>tcp://host:port</c>.</param>
    /// <param name="timeout">Time a connect plus one command may take. The default value is 5 seconds.</param>
    /// <param name="timeProvider">Clock for the timeout. The default value is the system clock.</param>
    public HAProxyRuntimeClient(string address, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        Address = HAProxyAddress.Parse(address);
        Timeout = timeout ?? DefaultTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(timeout));
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    public HAProxyAddress Address { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider TimeProvider { get; }

    public async Task<string> ExecuteAsync(string command, string? target, CancellationToken cancellationToken)
    {
        var line = CommandLine(command);
        var reply = await HAProxySocket.GuardAsync(Address, command, Timeout, TimeProvider, async token =>
        {
            using var socket = await HAProxySocket.ConnectAsync(Address, token).ConfigureAwait(false);
            await socket.SendAsync(line, SocketFlags.None, token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: false);
            await using var streamScope = stream.ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        reply = HAProxyReply.Clean(reply);
        HAProxyReply.ThrowIfError(Address, command, target, reply);
        return reply;
    }

    public Task<HAProxySession> OpenSessionAsync(CancellationToken cancellationToken) =>
        HAProxySession.OpenAsync(this, cancellationToken);

    internal static byte[] CommandLine(string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);

        // A newline or ';' would smuggle a second command into the one the caller asked for.
        if (command.IndexOfAny(['\n', '\r', ';']) >= 0)
        {
            throw new ArgumentException($"HAProxy command \"{command}\" must be one command on one line", nameof(command));
        }

        return Encoding.UTF8.GetBytes(command + "\n");
    }
}
