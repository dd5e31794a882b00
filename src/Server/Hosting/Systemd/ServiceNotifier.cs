using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Server.Hosting.Systemd;

/// <summary>
/// Tells systemd how a <c>Type=notify</c> service is doing (sd_notify): one datagram per message to the
/// unix socket named by <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> in the abstract namespace). Without
/// that variable (not started by systemd) every call does nothing. A failed send is reported to
/// <see cref="Failed"/>, never thrown: telling systemd must not stop the service.
/// </summary>
public sealed class ServiceNotifier
{
    /// <summary>The variable systemd sets for <c>Type=notify</c> units.</summary>
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly string? _socketPath;

    /// <summary>Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> of this process.</summary>
    public ServiceNotifier()
        : this(
            Environment.GetEnvironmentVariable(SocketVariable),
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID")
        ) { }

    internal ServiceNotifier(string? socketPath, string? watchdogMicroseconds, string? watchdogPid)
    {
        _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;
        var forUs = string.IsNullOrEmpty(watchdogPid) || watchdogPid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (_socketPath is not null
            && forUs
            && long.TryParse(watchdogMicroseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var usec)
            && usec > 0)
        {
            Watchdog = TimeSpan.FromMicroseconds(usec);
        }
    }

    /// <summary>Whether systemd listens (NOTIFY_SOCKET is set).</summary>
    public bool Enabled => _socketPath is not null;

    /// <summary>The unit's WatchdogSec when systemd asked this process for keep-alives, else null.</summary>
    public TimeSpan? Watchdog { get; }

    /// <summary>Told why a message could not be sent.</summary>
    public Action<string>? Failed { get; set; }

    /// <summary>READY=1 with MAINPID and a status line: the service answers now.</summary>
    public void Ready(string status) =>
        Send($"READY=1\nMAINPID={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}\nSTATUS={OneLine(status)}");

    /// <summary>STOPPING=1 with a status line: the service is stopping and will exit by itself.</summary>
    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>A status line shown by <c>systemctl status</c>.</summary>
    public void Status(string status) => Send($"STATUS={OneLine(status)}");

    /// <summary>
    /// Sends WATCHDOG=1 every half of <see cref="Watchdog"/> until <paramref name="cancellationToken"/> is
    /// cancelled; returns at once when systemd asked for none.
    /// </summary>
    public async Task KeepAliveAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        if (Watchdog is not { } interval)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            Send("WATCHDOG=1");
            try
            {
                await Task.Delay(interval / 2, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one sd_notify message (newline-separated assignments); does nothing when systemd does not listen.</summary>
    public void Send(string message)
    {
        if (_socketPath is not { } path)
        {
            return;
        }

        try
        {
            // "@name" is the abstract namespace: a leading NUL byte instead of the '@'.
            var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(endpoint);
            socket.Send(Encoding.UTF8.GetBytes(message));
        }
        catch (SocketException ex)
        {
            Failed?.Invoke($"could not tell systemd '{message.Split('\n')[0]}' through {SocketVariable}={path}: {ex.Message}");
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
