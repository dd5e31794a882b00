using Renci.SshNet;

namespace Gantry.Providers.Ssh;

/// <summary>
/// The order in which a connection offers key exchange algorithms. SSH.NET offers the post-quantum
/// hybrids first and computes them in managed code: sntrup761x25519 cost about 0.35 s of CPU per
/// connection in a profile of the rollout benchmark, against a few milliseconds for curve25519, so a
/// group of ten hosts spent seconds of a deploy on two cores just exchanging keys. By default
/// curve25519-sha256 goes first and the hybrids stay as fallbacks; an environment that lists
/// algorithms (<c>ssh.key_exchange</c>) gets exactly those, in its order, like OpenSSH's KexAlgorithms.
/// </summary>
internal static class KeyExchangePreference
{
    private static readonly string[] PreferredByDefault = ["curve25519-sha256", "curve25519-sha256@libssh.org"];

    /// <summary>Every algorithm name SSH.NET implements, in its own order.</summary>
    public static IReadOnlyList<string> Supported { get; } =
        [.. new ConnectionInfo("localhost", "gantry", new NoneAuthenticationMethod("gantry")).KeyExchangeAlgorithms.Keys];

    /// <summary>What is wrong with <paramref name="chosen"/> as a list to offer (empty, or names SSH.NET does not implement), or null.</summary>
    public static string? Problem(IReadOnlyList<string> chosen)
    {
        var unknown = chosen.Where(a => !Supported.Contains(a, StringComparer.Ordinal)).ToList();
        var what = unknown.Count > 0 ? $"names unknown algorithm(s) {string.Join(", ", unknown)}" : chosen.Count == 0 ? "is empty" : null;
        return what is null ? null : $"{what}; expected some of {string.Join(", ", Supported)}";
    }

    /// <summary>Reorders (default) or restricts (<paramref name="chosen"/>) what <paramref name="info"/> offers.</summary>
    public static void Apply(ConnectionInfo info, IReadOnlyList<string>? chosen)
    {
        var offered = info.KeyExchangeAlgorithms;
        var order = chosen ?? [.. PreferredByDefault.Where(offered.ContainsKey), .. offered.Keys.Where(a => !PreferredByDefault.Contains(a))];
        var factories = order.Where(offered.ContainsKey).Select(a => KeyValuePair.Create(a, offered[a])).ToList();

        // A dictionary enumerates in insertion order only while nothing was removed: refill it whole.
        offered.Clear();
        foreach (var (name, factory) in factories)
        {
            offered.Add(name, factory);
        }
    }
}
