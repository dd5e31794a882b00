namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Recognises HAProxy's error replies and turns them into messages people can act on.</summary>
internal static class HAProxyReply
{
    // The runtime API has no status codes: errors are plain sentences, so they are known by their start.
    private static readonly string[] ErrorStarts =
    [
        "No such", "Can't find", "Permission denied", "Unknown command", "Require ", "Invalid", "Missing",
        "Empty ", "'", "Unable to", "Unknown ",
    ];

    public static string Clean(string reply) => reply.TrimEnd('\n', '\r', ' ');

    public static bool LooksLikeError(string reply) =>
        ErrorStarts.Any(start => reply.StartsWith(start, StringComparison.Ordinal));

    public static LoadBalancerException Rejected(HAProxyAddress address, string command, string? target, string reply)
    {
        // Unknown commands are followed by HAProxy's whole help text; its first line says it all.
        var words = reply.Split('\n', 2)[0].TrimEnd(':', ' ');
        var what = target is null ? "" : $" ({target})";
        return new LoadBalancerException($"HAProxy at {address} rejected \"{command}\"{what}: {words}");
    }

    public static void ThrowIfError(HAProxyAddress address, string command, string? target, string reply)
    {
        if (LooksLikeError(reply))
        {
            throw Rejected(address, command, target, reply);
        }
    }
}
