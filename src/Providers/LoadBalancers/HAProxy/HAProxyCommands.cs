using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// The runtime API commands Gantry uses, typed, over a one-shot client or a prompt session. Every
/// change is read back and verified, because HAProxy answers a successful <c>set</c> with silence.
/// </summary>
internal static partial class HAProxyCommands
{
    public static async Task<HAProxyTable> ShowStatAsync(this IHAProxyCommandChannel channel, string backend, CancellationToken cancellationToken)
    {
        CheckName(backend, "backend");

        // Type 4 = servers only; -1 = every server id.
        var command = $"show stat {backend} 4 -1";
        var reply = await channel.ExecuteAsync(command, $"backend {backend}", cancellationToken).ConfigureAwait(false);
        return ParseOrReject(channel, command, $"backend {backend}", reply, HAProxyStatCsv.Parse);
    }

    public static async Task<HAProxyTable> ShowServersStateAsync(
        this IHAProxyCommandChannel channel,
        string backend,
        CancellationToken cancellationToken)
    {
        CheckName(backend, "backend");
        var command = $"show servers state {backend}";
        var reply = await channel.ExecuteAsync(command, $"backend {backend}", cancellationToken).ConfigureAwait(false);
        return ParseOrReject(channel, command, $"backend {backend}", reply, HAProxyServersState.Parse);
    }

    /// <summary><c>set server B/S state ready|drain|maint</c>, then verifies the admin state read back.</summary>
    public static async Task SetServerStateAsync(
        this IHAProxyCommandChannel channel,
        string backend,
        string server,
        AdminState state,
        CancellationToken cancellationToken)
    {
        var command = $"set server {Target(backend, server)} state {state.ToString().ToLowerInvariant()}";
        var row = await SetAndReadBackAsync(channel, command, backend, server, cancellationToken).ConfigureAwait(false);
        var flags = int.Parse(row["srv_admin_state"], CultureInfo.InvariantCulture);
        var actual = HAProxyServersState.AdminFromFlags(flags);
        if (actual != state)
        {
            throw new LoadBalancerException(
                $"HAProxy at {channel.Address} accepted \"{command}\" but server {backend}/{server} reads back as "
                + $"{actual.ToString().ToLowerInvariant()} (srv_admin_state {flags})");
        }
    }

    /// <summary>
    /// <c>set server B/S health down</c>: the next passing health check, and only that, brings the
    /// server up again. Not read back: with fast checks a fresh check may already have passed by the
    /// time a readback runs, which is the very outcome wanted, so a readback proves nothing.
    /// </summary>
    public static Task ForgetHealthAsync(this IHAProxyCommandChannel channel, string backend, string server, CancellationToken cancellationToken) =>
        SetHealthAsync(channel, backend, server, "down", cancellationToken);

    /// <summary>
    /// <c>set server B/S health up</c>: reports the server up without waiting for HAProxy's own
    /// checks, which go on (a server that then fails them goes down after its fall count). Only for
    /// a server whose health Gantry has just checked itself.
    /// </summary>
    public static Task ForceHealthUpAsync(this IHAProxyCommandChannel channel, string backend, string server, CancellationToken cancellationToken) =>
        SetHealthAsync(channel, backend, server, "up", cancellationToken);

    private static async Task SetHealthAsync(
        IHAProxyCommandChannel channel,
        string backend,
        string server,
        string health,
        CancellationToken cancellationToken)
    {
        var command = $"set server {Target(backend, server)} health {health}";
        var target = $"server {backend}/{server}";
        var reply = await channel.ExecuteAsync(command, target, cancellationToken).ConfigureAwait(false);
        if (reply.Length > 0)
        {
            throw HAProxyReply.Rejected(channel.Address, command, target, reply);
        }
    }

    /// <summary><c>set weight B/S N</c>, then verifies the user weight read back.</summary>
    public static async Task SetWeightAsync(
        this IHAProxyCommandChannel channel,
        string backend,
        string server,
        int weight,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, 256);
        var command = $"set weight {Target(backend, server)} {weight.ToString(CultureInfo.InvariantCulture)}";
        var row = await SetAndReadBackAsync(channel, command, backend, server, cancellationToken).ConfigureAwait(false);
        var actual = row["srv_uweight"];
        if (actual != weight.ToString(CultureInfo.InvariantCulture))
        {
            throw new LoadBalancerException(
                $"HAProxy at {channel.Address} accepted \"{command}\" but server {backend}/{server} reads back weight {actual}");
        }
    }

    private static async Task<HAProxyRow> SetAndReadBackAsync(
        IHAProxyCommandChannel channel,
        string command,
        string backend,
        string server,
        CancellationToken cancellationToken)
    {
        var target = $"server {backend}/{server}";
        var reply = await channel.ExecuteAsync(command, target, cancellationToken).ConfigureAwait(false);
        if (reply.Length > 0)
        {
            // These set commands print nothing on success; any text is HAProxy explaining a refusal.
            throw HAProxyReply.Rejected(channel.Address, command, target, reply);
        }

        var state = await channel.ShowServersStateAsync(backend, cancellationToken).ConfigureAwait(false);
        return state.Rows.FirstOrDefault(r => r["srv_name"] == server)
            ?? throw new LoadBalancerException($"HAProxy at {channel.Address} accepted \"{command}\" but \"{state.Source}\" does not list {server}");
    }

    private static HAProxyTable ParseOrReject(
        IHAProxyCommandChannel channel,
        string command,
        string target,
        string reply,
        Func<string, string, HAProxyTable> parse)
    {
        try
        {
            return parse(command, reply);
        }
        catch (FormatException)
        {
            throw HAProxyReply.Rejected(channel.Address, command, target, reply);
        }
    }

    private static string Target(string backend, string server)
    {
        CheckName(backend, "backend");
        CheckName(server, "server");
        return $"{backend}/{server}";
    }

    // HAProxy's own rule for proxy and server names; anything else could change the command's meaning.
    private static void CheckName(string name, string kind)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"HAProxy {kind} name \"{name}\" is invalid; names use only letters, digits, '-', '_', '.' and ':'", kind);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex NamePattern();
}
