using System.Globalization;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Turns <c>show stat</c> rows (and, when available, <c>show servers state</c>) into <see cref="ServerState"/>s.</summary>
internal static class HAProxyServerStates
{
    public static IReadOnlyList<ServerState> From(HAProxyTable stat, HAProxyTable? serversState)
    {
        var flagsByServer = serversState?.Rows.ToDictionary(r => r["srv_name"], r => r["srv_admin_state"], StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        return stat.Rows
            .Where(r => r["svname"] is not ("FRONTEND" or "BACKEND"))
            .Select(r =>
            {
                var name = r["svname"];
                var status = r["status"];
                var admin = flagsByServer.TryGetValue(name, out var flags) && int.TryParse(flags, CultureInfo.InvariantCulture, out var bits)
                    ? HAProxyServersState.AdminFromFlags(bits)
                    : AdminFromStatus(status);
                return new ServerState(
                    name,
                    admin,
                    HealthFromStatus(status, r["check_status"]),
                    int.TryParse(r["scur"], CultureInfo.InvariantCulture, out var scur) ? scur : 0,
                    int.TryParse(r["weight"], CultureInfo.InvariantCulture, out var weight) ? weight : null,
                    LastCheck(r));
            })
            .ToList();
    }

    /// <summary>
    /// Fallback when <c>show servers state</c> is unavailable: a down server's status says DOWN even
    /// when it is also drained, so the flags are preferred.
    /// </summary>
    public static AdminState AdminFromStatus(string status) =>
        status.StartsWith("MAINT", StringComparison.Ordinal) ? AdminState.Maint
        : status.StartsWith("DRAIN", StringComparison.Ordinal) ? AdminState.Drain
        : AdminState.Ready;

    /// <summary>
    /// UP and DRAIN (also "UP 1/3", about to go down) are healthy. DOWN (also "DOWN 1/2", about to come
    /// up) is not; nor is NOLB, which HAProxy sets when a check asks for no new traffic. In MAINT
    /// checks are paused, so the last check result is all there is.
    /// </summary>
    public static HealthState HealthFromStatus(string status, string checkStatus)
    {
        if (status.StartsWith("MAINT", StringComparison.Ordinal))
        {
            var check = checkStatus.TrimStart('*', ' ');
            return check.Length == 0 ? HealthState.NoCheck
                : check.EndsWith("OK", StringComparison.Ordinal) ? HealthState.Up
                : HealthState.Down;
        }

        return status.StartsWith("UP", StringComparison.Ordinal) || status.StartsWith("DRAIN", StringComparison.Ordinal) ? HealthState.Up
            : status.Equals("no check", StringComparison.OrdinalIgnoreCase) ? HealthState.NoCheck
            : HealthState.Down;
    }

    private static string? LastCheck(HAProxyRow row)
    {
        var status = row["check_status"].TrimStart('*', ' ');
        if (status.Length == 0)
        {
            return null;
        }

        var detail = row.Optional("last_chk") is { Length: > 0 } last ? last : row.Optional("check_desc");
        return string.IsNullOrEmpty(detail) ? status : $"{status} ({detail})";
    }
}
