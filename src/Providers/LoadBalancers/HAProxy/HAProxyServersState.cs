namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// Parses <c>show servers state</c>: a format version line, a <c>"# "</c> header of space-separated
/// column names, then one space-separated line per server.
/// </summary>
internal static class HAProxyServersState
{
    // srv_admin_state flags from HAProxy's server.h: forced/inherited/config/resolution/hostname maintenance.
    private const int MaintFlags = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;

    // Forced or inherited drain.
    private const int DrainFlags = 0x08 | 0x10;

    public static HAProxyTable Parse(string source, string reply)
    {
        var lines = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || !int.TryParse(lines[0], out _) || !lines[1].StartsWith("# ", StringComparison.Ordinal))
        {
            throw new FormatException($"\"{source}\" reply does not start with a version line and a \"# \" header line");
        }

        var columns = lines[1][2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rows = lines.Skip(2).Select(l => (IReadOnlyList<string>)l.Split(' ')).ToList();
        return new HAProxyTable(source, columns, rows);
    }

    public static AdminState AdminFromFlags(int flags) =>
        (flags & MaintFlags) != 0 ? AdminState.Maint
        : (flags & DrainFlags) != 0 ? AdminState.Drain
        : AdminState.Ready;
}
